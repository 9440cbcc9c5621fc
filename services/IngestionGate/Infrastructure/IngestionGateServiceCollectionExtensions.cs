using IngestionGate.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Substrate.Environments;
using Platform.Substrate.Identity;
using Platform.Substrate.Telemetry;

namespace IngestionGate.Infrastructure;

public static class IngestionGateServiceCollectionExtensions
{
    /// <summary>
    /// Registers IG's admission machinery for <paramref name="policy"/> (loaded from <paramref name="schemasDirectory"/>):
    /// the evaluator, the micro-batcher and pipeline, the operator operations, the receipt backfill, the per-actor rate
    /// limiter and the sidecar readiness check. Reads and validates the <c>IngestionGate</c> configuration section now.
    /// Needs the platform runtime (with the policy_rev), identity and building blocks registered too.
    /// </summary>
    public static IHostApplicationBuilder AddIngestionGate(this IHostApplicationBuilder builder, IgPolicy policy, string schemasDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(IngestionGateOptions.SectionName).Get<IngestionGateOptions>() ?? new IngestionGateOptions();
        settings.Validate();

        var services = builder.Services;
        services.AddSingleton(Options.Create(settings));
        services.AddSingleton(policy);
        services.AddSingleton(sp => new IgContext(policy, sp.GetRequiredService<PlatformRuntime>(), schemasDirectory));
        services.AddSingleton(sp => new AdmissionEvaluator(policy, sp.GetRequiredService<IWriterAuthorizer>()));
        services.AddSingleton<AdmissionStore>();
        services.AddSingleton<EvidenceStore>();
        services.AddSingleton<IgGovernance>();
        services.AddSingleton<RunSegments>();
        services.AddSingleton<ProducerRateLimiter>();
        services.AddSingleton<AdmissionPipeline>();
        services.AddSingleton<AdmissionOperations>();
        services.AddSingleton<ReceiptBackfill>();
        services.AddSingleton<RunSummaries>();
        services.AddHostedService(sp => sp.GetRequiredService<ReceiptBackfill>());
        services.AddSingleton<AdmissionBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionBatcher>());
        services.AddPlatformHealthChecks().AddDaprSidecar();
        return builder;
    }
}
