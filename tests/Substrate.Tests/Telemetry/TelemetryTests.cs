using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Substrate.Telemetry;

namespace Platform.Substrate.Tests.Telemetry;

public class TelemetryTests
{
    private static readonly PlatformRuntime Runtime = new(
        "ig", PlatformEnvironment.Dev, ServiceRelease.Parse("0a1b2c3d"), new PolicyRev("ig_policy", "r1", new string('d', 64)));

    private static WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        return builder;
    }

    [Fact]
    public async Task Traces_requests_without_query_strings_and_skips_health_probes()
    {
        var exported = new List<Activity>();
        var builder = NewBuilder();
        builder.Services.AddPlatformRuntime(Runtime);
        builder.AddPlatformTelemetry();
        builder.Services.AddPlatformHealthChecks();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported));
        await using var app = builder.Build();
        app.MapGet("/items/{id}", (string id) => TypedResults.Ok(id));
        app.MapPlatformHealth();
        await app.StartAsync();
        using var client = app.GetTestClient();

        (await client.GetAsync(new Uri("/items/7?api_key=s3cr3t&card=4111", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).Dispose();
        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush());

        // Instrumentation listens process-wide: keep only this test's host's requests (other tests run servers too).
        var span = Assert.Single(exported, activity => activity.GetTagItem("url.path") is "/items/7");
        Assert.DoesNotContain(exported, activity => activity.GetTagItem("url.path") is "/healthz" or "/readyz");
        Assert.Equal("/items/7", span.GetTagItem("url.path"));
        Assert.Equal("/items/{id}", span.GetTagItem("http.route"));
        Assert.Null(span.GetTagItem("url.query"));
        Assert.All(span.TagObjects, tag => Assert.DoesNotContain("s3cr3t", tag.Value?.ToString() ?? "", StringComparison.Ordinal));
        Assert.All(span.TagObjects, tag => Assert.DoesNotContain("4111", tag.Value?.ToString() ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_resource_names_service_environment_release_and_policy_rev()
    {
        var builder = NewBuilder();
        builder.Services.AddPlatformRuntime(Runtime);
        builder.AddPlatformTelemetry();
        await using var app = builder.Build();

        var attributes = app.Services.GetRequiredService<TracerProvider>().GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);

        Assert.Equal("ig", attributes["service.name"]);
        Assert.Equal("dev", attributes["environment"]);
        Assert.Equal("0a1b2c3d", attributes["service_release_id"]);
        Assert.Equal(new string('d', 64), attributes["policy_rev"]);
    }

    [Fact]
    public async Task Telemetry_without_a_runtime_refuses_to_start()
    {
        var builder = NewBuilder();
        builder.AddPlatformTelemetry();
        await using var app = builder.Build();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("AddPlatformRuntime", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Url_tags_lose_their_query_strings()
    {
        using var activity = new Activity("client");
        activity.SetTag("url.full", "https://objectstore.local/bucket/key?X-Amz-Signature=abc&X-Amz-Credential=def");
        activity.SetTag("url.query", "X-Amz-Signature=abc");
        activity.SetTag("http.url", "http://ig/v1/events?token=t");
        activity.SetTag("http.target", "/v1/events?token=t");
        activity.SetTag("url.path", "/v1/events");

        UrlTags.DropQueries(activity);

        Assert.Equal("https://objectstore.local/bucket/key", activity.GetTagItem("url.full"));
        Assert.Equal("http://ig/v1/events", activity.GetTagItem("http.url"));
        Assert.Equal("/v1/events", activity.GetTagItem("http.target"));
        Assert.Equal("/v1/events", activity.GetTagItem("url.path"));
        Assert.Null(activity.GetTagItem("url.query"));
    }
}
