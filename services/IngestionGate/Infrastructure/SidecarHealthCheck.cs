using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IngestionGate.Infrastructure;

/// <summary>Readiness: IG can do nothing without its sidecar (state, object store, event bus all go through it).</summary>
public sealed class SidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckHealthAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The Dapr sidecar is not healthy.");
}
