using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;

namespace Platform.Substrate.Tests.Identity;

/// <summary>Secrets held in memory; counts reads so caching can be observed.</summary>
internal sealed class FakeSecrets : ISecretReader
{
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public int Reads { get; private set; }

    public Task<string> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        Reads++;
        return Values.TryGetValue(name, out var value)
            ? Task.FromResult(value)
            : throw new KeyNotFoundException(name);
    }
}

internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A TestServer app wired exactly as a platform app: AddPlatformIdentity, UsePlatformIdentity, policies on endpoints.</summary>
internal static class IdentityTestHost
{
    public const string TrafficKey = "traffic-producer-key";
    public const string ContextKey = "context-producer-key";
    public const string HumanGovernorKey = "governor-key";
    public const string SystemGovernorKey = "system-governor-key";
    public const string ContradictingKey = "contradicting-key";

    public static string ApiKeysJson() => $$"""
        [
          {"key_id":"k-traffic","key_sha256":"{{Hash(TrafficKey)}}","principal":"traffic-sim","source_type":"SYSTEM","roles":["producer:traffic"]},
          {"key_id":"k-context","key_sha256":"{{Hash(ContextKey)}}","principal":"context-sim","source_type":"SYSTEM","roles":["producer:context"]},
          {"key_id":"k-gov","key_sha256":"{{Hash(HumanGovernorKey)}}","principal":"HUMAN::alice","source_type":"HUMAN","roles":["governance"]},
          {"key_id":"k-sysgov","key_sha256":"{{Hash(SystemGovernorKey)}}","principal":"mpr","source_type":"SYSTEM","roles":["governance"]},
          {"key_id":"k-bad","key_sha256":"{{Hash(ContradictingKey)}}","principal":"HUMAN::mallory","source_type":"SYSTEM","roles":["producer:traffic"]}
        ]
        """;

    public static string Hash(string rawKey) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rawKey)));

    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?> configuration, FakeSecrets secrets, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        // Only what the test states: no PLATFORM_ENV or APP_API_TOKEN leaks in from the machine.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.AddPlatformIdentity();
        builder.Services.AddSingleton<ISecretReader>(secrets);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        return builder;
    }

    public static async Task<(WebApplication App, HttpClient Client)> StartAsync(
        IDictionary<string, string?> configuration, FakeSecrets secrets, List<byte[]>? consumed = null, TimeProvider? time = null)
    {
        var app = CreateBuilder(configuration, secrets, time).Build();
        app.UsePlatformIdentity();
        app.MapPost("/ingest/traffic", (HttpContext http) => Describe(http.GetActorContext()))
            .RequireAuthorization(WriterBoundaries.IngestTraffic);
        app.MapPost("/ingest/context", (HttpContext http) => Describe(http.GetActorContext()))
            .RequireAuthorization(WriterBoundaries.IngestContext);
        app.MapPost("/governance", (HttpContext http) => Describe(http.GetActorContext()))
            .RequireAuthorization(WriterBoundaries.Governance);
        app.MapGet("/whoami", (HttpContext http) => Describe(http.GetActorContext()));
        app.MapEventBusConsumer(PlatformNames.Streams.Traffic, PlatformNames.AppIds.DecisionLoop, (delivery, _) =>
        {
            if (delivery.Record.Span.SequenceEqual("poison"u8))
            {
                throw new InvalidOperationException("could not park the record");
            }

            consumed?.Add(delivery.Record.ToArray());
            return Task.CompletedTask;
        });
        await app.StartAsync();
        return (app, app.GetTestClient());
    }

    public static Dictionary<string, string?> LocalParity(string? appApiToken = null) => new()
    {
        ["PLATFORM_ENV"] = "local_parity",
        ["APP_API_TOKEN"] = appApiToken,
    };

    private static IResult Describe(ActorContext actor) => Results.Json(new
    {
        actor_id = actor.ActorId,
        source_type = actor.SourceTypeName,
        auth_mode = actor.AuthModeName,
    });
}
