using IngestionGate.Domain;
using IngestionGate.Endpoints;
using IngestionGate.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Hosting;

namespace IngestionGate;

/// <summary>The Ingestion Gate (app-id <c>ig</c>): the platform's front door for producers' events.</summary>
public static class IngestionGateApp
{
    public static Task Main(string[] args) => Build(args).RunAsync();

    /// <summary>
    /// Composes IG. The IG policy is loaded and validated from <c>schemas/</c> next to the binaries before anything
    /// else (a bad policy refuses to start); <c>PLATFORM_ENV</c> and <c>SERVICE_RELEASE_ID</c> are read once.
    /// <paramref name="configure"/> runs first: tests and tools use it for configuration, endpoints and substitutes.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var schemas = Path.Combine(AppContext.BaseDirectory, "schemas");
        var policy = IgPolicy.Load(schemas);
        builder.AddPlatformServiceDefaults(
            PlatformRuntime.FromEnvironment(PlatformNames.AppIds.IngestionGate, name => builder.Configuration[name]) with { PolicyRev = policy.PolicyRev });
        builder.AddIngestionGate(policy, schemas);
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UsePlatformServiceDefaults();
        // The API description is public, like health: producers read it before they hold a key.
        app.MapOpenApi().AllowAnonymous();
        app.MapEventsApi();
        app.MapReceiptsApi();
        app.MapAdmissionsApi();
        app.MapRunsApi();
        return app;
    }
}
