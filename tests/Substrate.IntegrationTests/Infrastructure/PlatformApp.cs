using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Platform.Substrate.Identity;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>
/// A real platform app on Kestrel (127.0.0.1): PLATFORM_ENV=local_parity, AddPlatformIdentity / UsePlatformIdentity
/// as services wire them, its DaprClient pointed at <paramref name="sidecar"/>, endpoints mapped by the test.
/// </summary>
internal static class PlatformApp
{
    public static async Task<WebApplication> StartAsync(
        int port,
        HarnessInstance sidecar,
        string? appApiToken,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Only what the test states: nothing leaks in from the machine's environment.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PLATFORM_ENV"] = "local_parity",
            [IdentityExtensions.AppApiTokenVariable] = appApiToken,
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{sidecar.GrpcPort}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{sidecar.HttpPort}",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.AddPlatformIdentity();
        configure(builder);
        var app = builder.Build();
        app.UsePlatformIdentity();
        map(app);
        await app.StartAsync();
        return app;
    }
}
