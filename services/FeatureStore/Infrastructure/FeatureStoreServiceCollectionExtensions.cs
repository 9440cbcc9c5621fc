using Dapr.Client;
using Dapr.Workflow;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Telemetry;

namespace FeatureStore.Infrastructure;

public static class FeatureStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the archive writer (record reader over the schemas in <paramref name="schemasDirectory"/>, dead-letter
    /// parking with its fallback state store) and the sidecar readiness check. Reads and validates the
    /// <c>FeatureStore</c> configuration section now. Needs the platform runtime and building blocks registered too.
    /// </summary>
    public static IHostApplicationBuilder AddArchiveWriter(this IHostApplicationBuilder builder, string schemasDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(FeatureStoreOptions.SectionName).Get<FeatureStoreOptions>() ?? new FeatureStoreOptions();
        settings.Validate();

        var services = builder.Services;
        services.AddSingleton(Options.Create(settings));
        services.AddSingleton(StreamRecordReader.Load(schemasDirectory));
        services.AddSingleton(sp => new DeadLetterParking(
            sp.GetRequiredService<IObjectStore>(),
            new DaprStateStore(sp.GetRequiredService<DaprClient>(), settings.DeadLetterFallbackStore),
            sp.GetRequiredService<ILogger<DeadLetterParking>>()));
        services.AddSingleton<ArchiveCompactor>();
        services.AddHostedService(sp => sp.GetRequiredService<ArchiveCompactor>());
        services.AddSingleton<ArchiveWriter>();
        services.AddSingleton<ArchiveInventory>();
        services.AddPlatformHealthChecks().AddDaprSidecar();
        return builder;
    }

    /// <summary>
    /// Registers the OFS build job: <see cref="OfsBuildWorkflow"/> and its activities on the Dapr workflow runtime,
    /// and the label timeline reader (CM through service invocation).
    /// </summary>
    public static IHostApplicationBuilder AddOfsBuilds(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Scoped: the workflow client's lifetime is the runtime's choice.
        services.TryAddScoped<IOfsBuildJobs>(sp => new WorkflowOfsBuildJobs(sp.GetRequiredService<DaprWorkflowClient>()));
        services.TryAddSingleton<ILabelTimeline>(sp => new CmLabelTimeline(CmLabelTimeline.ClientFor(sp.GetRequiredService<IConfiguration>())));
        services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<OfsBuildWorkflow>();
            options.RegisterActivity<SnapshotArchiveActivity>();
            options.RegisterActivity<SnapshotLabelsActivity>();
            options.RegisterActivity<BuildDatasetActivity>();
            options.RegisterActivity<WriteManifestActivity>();
            options.RegisterActivity<EmitBuildCompletedActivity>();
        });
        return builder;
    }
}
