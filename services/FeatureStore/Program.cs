using FeatureStore.Endpoints;
using FeatureStore.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Hosting;

namespace FeatureStore;

/// <summary>The Offline Feature Store (app-id <c>ofs</c>): archives the traffic and context streams; builds point-in-time datasets as workflows.</summary>
public static class FeatureStoreApp
{
    public static Task Main(string[] args) => Build(args).RunAsync();

    /// <summary>
    /// Composes OFS. The envelope schema and IG's routing policy are loaded from <c>schemas/</c> next to the binaries;
    /// <c>PLATFORM_ENV</c> and <c>SERVICE_RELEASE_ID</c> are read once. <paramref name="configure"/> runs first: tests
    /// and tools use it for configuration, endpoints and substitutes.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var schemas = Path.Combine(AppContext.BaseDirectory, "schemas");
        builder.AddPlatformServiceDefaults(PlatformRuntime.FromEnvironment(PlatformNames.AppIds.FeatureStore, name => builder.Configuration[name]));
        builder.AddArchiveWriter(schemas);
        builder.AddOfsBuilds();

        var app = builder.Build();
        app.UsePlatformServiceDefaults();
        app.MapArchiveConsumers();
        app.MapJobsApi();
        app.MapFeatureSetsApi();
        app.MapArchiveApi();
        return app;
    }
}
