using CaseLabels.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Substrate.Environments;
using Platform.Substrate.Identity;
using Platform.Substrate.Telemetry;

namespace CaseLabels.Infrastructure;

public static class CaseLabelsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Label Store writer boundary for <paramref name="policy"/>: evaluator, store, writer, facts, the read
    /// policy and the sidecar readiness check. Reads and validates the <c>CaseLabels</c> configuration section now.
    /// Needs the platform runtime (with the label policy_rev), identity, building blocks and governance facts too.
    /// </summary>
    public static IHostApplicationBuilder AddCaseLabels(this IHostApplicationBuilder builder, LabelPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(CaseLabelsOptions.SectionName).Get<CaseLabelsOptions>() ?? new CaseLabelsOptions();
        settings.Validate();

        var services = builder.Services;
        services.AddSingleton(Options.Create(settings));
        services.AddSingleton(policy);
        services.AddSingleton(sp => new CmContext(policy, sp.GetRequiredService<PlatformRuntime>()));
        services.AddSingleton(new LabelEvaluator(policy));
        services.AddSingleton<LabelStore>();
        services.AddSingleton<LabelGovernance>();
        services.AddSingleton<LabelWriter>();
        services.AddAuthorization(options =>
            LabelReadAccess.AddPolicy(options, [.. settings.InternalReaders], builder.Configuration[IdentityExtensions.AppApiTokenVariable]));
        services.AddPlatformHealthChecks().AddDaprSidecar();
        return builder;
    }
}
