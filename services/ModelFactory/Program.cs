using ModelFactory.Endpoints;
using ModelFactory.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Hosting;

namespace ModelFactory;

/// <summary>The Model Factory (app-id <c>mf</c>): trains, evaluates and gates models, and publishes bundles.</summary>
public static class ModelFactoryApp
{
    public static Task Main(string[] args) => Build(args).RunAsync();

    /// <summary>
    /// Composes MF. The gate profile is loaded from <c>schemas/</c> next to the binaries; <c>PLATFORM_ENV</c> and
    /// <c>SERVICE_RELEASE_ID</c> are read once. <paramref name="configure"/> runs first: tests and tools use it for
    /// configuration, endpoints and substitutes.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var schemas = Path.Combine(AppContext.BaseDirectory, "schemas");
        builder.AddPlatformServiceDefaults(PlatformRuntime.FromEnvironment(PlatformNames.AppIds.ModelFactory, name => builder.Configuration[name]));
        builder.AddMfTrains(schemas);

        var app = builder.Build();
        app.UsePlatformServiceDefaults();
        app.MapJobsApi();
        return app;
    }
}
