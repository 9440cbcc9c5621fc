using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelFactory.Activities;
using ModelFactory.Domain;
using ModelFactory.Workflows;
using Platform.Substrate.Telemetry;

namespace ModelFactory.Infrastructure;

public static class ModelFactoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the training job: the gate profile loaded from <paramref name="schemasDirectory"/> (a bad profile
    /// refuses to start), <see cref="MfTrainWorkflow"/> and its activities on the Dapr workflow runtime, the governance
    /// fact emitter and the sidecar readiness check. Needs the platform runtime and building blocks registered too.
    /// </summary>
    public static IHostApplicationBuilder AddMfTrains(this IHostApplicationBuilder builder, string schemasDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (profile, digest) = GateProfile.Load(schemasDirectory);
        var services = builder.Services;
        services.AddSingleton(new LoadedGateProfile(profile, digest));
        services.AddPlatformHealthChecks().AddDaprSidecar();
        // Scoped: the workflow client's lifetime is the runtime's choice.
        services.TryAddScoped<IMfTrainJobs>(sp => new WorkflowMfTrainJobs(sp.GetRequiredService<DaprWorkflowClient>()));
        services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<MfTrainWorkflow>();
            options.RegisterActivity<VerifyManifestsActivity>();
            options.RegisterActivity<TrainAndEvaluateActivity>();
            options.RegisterActivity<PublishBundleActivity>();
            options.RegisterActivity<EmitTrainCompletedActivity>();
        });
        return builder;
    }
}

/// <summary>The gate profile this process gates with, and its digest.</summary>
public sealed record LoadedGateProfile(GateProfile Profile, string Digest);
