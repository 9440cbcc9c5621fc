using Microsoft.AspNetCore.Builder;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Telemetry;

namespace Platform.Substrate.Hosting;

/// <summary>
/// The substrate every platform app stands on, composed the same way in each: the runtime profile (environment,
/// service_release_id, policy_rev), identity, telemetry, RFC 7807 problem details and governance facts; then, in the
/// pipeline, problem details before identity (so auth failures are problems too) and the health endpoints.
/// </summary>
public static class PlatformServiceDefaults
{
    public static WebApplicationBuilder AddPlatformServiceDefaults(this WebApplicationBuilder builder, PlatformRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPlatformRuntime(runtime);
        builder.AddPlatformIdentity();
        builder.AddPlatformTelemetry();
        builder.Services.AddPlatformProblemDetails();
        builder.Services.AddGovernanceFacts();
        return builder;
    }

    public static WebApplication UsePlatformServiceDefaults(this WebApplication app)
    {
        app.UsePlatformProblemDetails();
        app.UsePlatformIdentity();
        app.MapPlatformHealth();
        return app;
    }
}
