using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Substrate.Telemetry;

/// <summary>
/// Readiness of the app's Dapr sidecar: every app reaches state, the object store, the bus and secrets only through
/// it, so an app whose sidecar is unhealthy is not ready.
/// </summary>
public sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public const string Name = "dapr-sidecar";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckHealthAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The Dapr sidecar is not healthy.");
}

public static class DaprSidecarHealthCheckExtensions
{
    /// <summary>Adds the sidecar to the readiness checks.</summary>
    public static IHealthChecksBuilder AddDaprSidecar(this IHealthChecksBuilder checks) =>
        checks.AddCheck<DaprSidecarHealthCheck>(DaprSidecarHealthCheck.Name);
}
