using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Platform.Substrate.Environments;

namespace Platform.Substrate.Telemetry;

/// <summary>
/// Traces and metrics for every app, exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured.
/// Resource attributes identify the process (<c>environment</c>, <c>service_release_id</c>, <c>policy_rev</c>).
/// Rule for every span, metric and tag: names, routes, codes and digests only, never payloads, secrets or query
/// strings; the URL tags are stripped of their query here, so tokens in query strings cannot leak either.
/// </summary>
public static class TelemetryExtensions
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds tracing and metrics; the service name, environment and release come from <see cref="PlatformRuntime"/>
    /// (call <c>AddPlatformRuntime</c> first).</summary>
    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<CorridorCounters>();

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddDetector(services => new PlatformResourceDetector(
                services.GetService<PlatformRuntime>()
                ?? throw new InvalidOperationException("AddPlatformTelemetry needs a PlatformRuntime: call services.AddPlatformRuntime(...) first."))))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options =>
                {
                    options.Filter = context => !HealthEndpoints.IsHealthPath(context.Request.Path);
                    options.EnrichWithHttpRequest = (activity, _) => UrlTags.DropQueries(activity);
                })
                .AddHttpClientInstrumentation(options => options.EnrichWithHttpRequestMessage = (activity, _) => UrlTags.DropQueries(activity))
                .AddGrpcClientInstrumentation(options => options.EnrichWithHttpRequestMessage = (activity, _) => UrlTags.DropQueries(activity)))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(CorridorCounters.MeterName));

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            openTelemetry.UseOtlpExporter();
        }

        return builder;
    }
}

/// <summary>The process identity on every span and metric.</summary>
internal sealed class PlatformResourceDetector(PlatformRuntime runtime) : IResourceDetector
{
    public Resource Detect()
    {
        var attributes = new Dictionary<string, object>
        {
            ["service.name"] = runtime.ServiceName,
            ["service.version"] = runtime.Release.Id,
            ["deployment.environment.name"] = runtime.Environment.ToWireName(),
            ["environment"] = runtime.Environment.ToWireName(),
            ["service_release_id"] = runtime.Release.Id,
        };
        if (runtime.PolicyRev is { } policyRev)
        {
            attributes["policy_rev"] = policyRev.ContentDigest;
            attributes["policy_rev.revision"] = policyRev.Revision;
        }

        return new Resource(attributes);
    }
}

/// <summary>Removes query strings from the URL tags of a span (old and current semantic conventions).</summary>
internal static class UrlTags
{
    private static readonly string[] UrlTagNames = ["url.full", "http.url", "http.target"];

    public static void DropQueries(Activity activity)
    {
        activity.SetTag("url.query", null);
        foreach (var name in UrlTagNames)
        {
            if (activity.GetTagItem(name) is string url && url.IndexOf('?', StringComparison.Ordinal) is var index and >= 0)
            {
                activity.SetTag(name, url[..index]);
            }
        }
    }
}
