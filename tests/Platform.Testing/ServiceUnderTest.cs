using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Testing;

/// <summary>
/// A service composed by its own <c>XxxApp.Build(args, configure)</c> exactly as its Program runs it, on a loopback
/// Kestrel port, with PLATFORM_ENV=local_parity, a test release id and its Dapr endpoints (and API token, if any)
/// pointed at a <see cref="HarnessInstance"/>. Only the settings the test states are configured: nothing leaks in from
/// the machine's environment. Tests may substitute services (fault injection, recorders) before it starts.
/// </summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private bool _stopped;

    private ServiceUnderTest(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Builds the service with <paramref name="build"/> and starts it on <paramref name="port"/> (a free one when null:
    /// give the port when the sidecar must call the app). <paramref name="settings"/> are applied in order after the
    /// base settings, a later value replacing an earlier one; <paramref name="services"/> runs after the service's own
    /// registrations, so what it adds replaces them.
    /// </summary>
    public static async Task<ServiceUnderTest> StartAsync(
        Func<string[], Action<WebApplicationBuilder>?, WebApplication> build,
        HarnessInstance sidecar,
        string releaseId,
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Action<IServiceCollection>? services = null,
        int? port = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(sidecar);
        var appPort = port ?? FreePort.Next();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PLATFORM_ENV"] = "local_parity",
            ["SERVICE_RELEASE_ID"] = releaseId,
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{sidecar.GrpcPort.ToString(CultureInfo.InvariantCulture)}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{sidecar.HttpPort.ToString(CultureInfo.InvariantCulture)}",
            ["DAPR_API_TOKEN"] = sidecar.Environment.GetValueOrDefault("DAPR_API_TOKEN"),
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var app = build([], builder =>
        {
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, appPort));
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new ServiceUnderTest(app, appPort);
    }

    /// <summary>
    /// An HTTP client of the service sending <paramref name="apiKey"/> in X-Api-Key (none when null). One client per
    /// key, owned by this host: callers do not dispose it.
    /// </summary>
    public HttpClient Client(string? apiKey) => _clients.GetOrAdd(apiKey ?? string.Empty, key =>
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key.Length > 0)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);
        }

        return client;
    });

    /// <summary>Stops the service the way a crash would look from outside: whatever it was doing is cut off.</summary>
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
