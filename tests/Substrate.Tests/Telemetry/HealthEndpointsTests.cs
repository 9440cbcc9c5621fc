using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Platform.Substrate.Telemetry;

namespace Platform.Substrate.Tests.Telemetry;

public sealed class HealthEndpointsTests : IAsyncLifetime
{
    private volatile bool storeReachable = true;
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddPlatformHealthChecks()
            .AddCheck("store", () => storeReachable ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("store down: Host=db;Password=hunter2"));
        builder.Services.AddAuthentication();
        // Everything else requires an authenticated caller; probes carry no credentials.
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPlatformHealth();
        await app.StartAsync();
        client = app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Both_answer_healthy_when_every_check_passes()
    {
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(HealthEndpoints.LivenessPath));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync(HealthEndpoints.ReadinessPath));
    }

    [Fact]
    public async Task A_failing_readiness_check_fails_readyz_only_and_reveals_no_detail()
    {
        storeReachable = false;

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetAsync("/healthz"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetAsync("/readyz"));
    }

    private async Task<(HttpStatusCode, string)> GetAsync(string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
