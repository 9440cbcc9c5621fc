using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Substrate.Telemetry;

/// <summary>
/// <c>/healthz</c> (liveness: the process answers; only checks tagged <see cref="LiveTag"/>) and <c>/readyz</c>
/// (readiness: every registered check, e.g. the sidecar and the stores the app needs). Both answer 200 or 503 with the
/// bare status word, never check details, and need no credentials: probes carry none.
/// </summary>
public static class HealthEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string LiveTag = "live";

    /// <summary>Registers health checks with a liveness self-check; add readiness checks to the returned builder.</summary>
    public static IHealthChecksBuilder AddPlatformHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: [LiveTag]);

    public static IEndpointRouteBuilder MapPlatformHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = registration => registration.Tags.Contains(LiveTag) })
            .AllowAnonymous();
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = _ => true })
            .AllowAnonymous();
        return endpoints;
    }

    internal static bool IsHealthPath(PathString path) =>
        path.Equals(LivenessPath, StringComparison.OrdinalIgnoreCase) || path.Equals(ReadinessPath, StringComparison.OrdinalIgnoreCase);
}
