using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using IngestionGate.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>
/// IG itself, composed by <see cref="IngestionGateApp.Build"/> exactly as Program runs it, on a loopback Kestrel
/// port, with PLATFORM_ENV=local_parity and its DaprClient pointed at <paramref name="sidecar"/>'s ports. Tests
/// change settings (<c>IngestionGate:*</c>) and may substitute services (fault injection) before it starts.
/// </summary>
internal sealed class IgService : IAsyncDisposable
{
    /// <summary>The service_release_id every test instance records (a git SHA shape).</summary>
    public const string ReleaseId = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private bool _stopped;

    private IgService(WebApplication app, int port)
    {
        _app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public IgContext Context => Services.GetRequiredService<IgContext>();

    public static async Task<IgService> StartAsync(
        HarnessInstance sidecar, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var port = FreePort.Next();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PLATFORM_ENV"] = "local_parity",
            ["SERVICE_RELEASE_ID"] = ReleaseId,
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{sidecar.GrpcPort.ToString(CultureInfo.InvariantCulture)}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{sidecar.HttpPort.ToString(CultureInfo.InvariantCulture)}",
            // A loaded CI machine must not turn a slow commit into a 409 for the waiting duplicates.
            ["IngestionGate:InFlightWait"] = "00:00:10",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = IngestionGateApp.Build([], builder =>
        {
            // Only what the test states: nothing leaks in from the machine's environment.
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new IgService(app, port);
    }

    /// <summary>An HTTP client sending the API key of a symbolic caller (see <see cref="TestSecrets"/>).</summary>
    public HttpClient Client(string caller) => _clients.GetOrAdd(caller, name =>
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (TestSecrets.ApiKey(name) is { } key)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);
        }

        return client;
    });

    /// <summary>Stops IG the way a crash would look from outside: whatever it was doing is cut off.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
