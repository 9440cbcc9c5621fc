using System.Globalization;
using Dapr.Client;
using DaprHarness;
using Microsoft.AspNetCore.Builder;

namespace Platform.Testing;

/// <summary>
/// One harness sidecar started in-process with daprd's flags against a component set, plus a real Dapr.Client
/// pointed at it. Stop and start it again to test what survives a restart.
/// </summary>
public sealed class HarnessInstance : IAsyncDisposable
{
    /// <summary>The default --config: local_parity's Configuration, relative to the repository root.</summary>
    public const string LocalParityConfig = "components/local_parity/config.yaml";

    private WebApplication? _app;

    private HarnessInstance(string appId, string resourcesPath, string? configPath, int? appPort, IReadOnlyDictionary<string, string> environment)
    {
        AppId = appId;
        ResourcesPath = resourcesPath;
        ConfigPath = configPath;
        AppPort = appPort;
        Environment = environment;
        GrpcPort = FreePort.Next();
        HttpPort = FreePort.Next();
        Client = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{HttpPort}")
            .Build();
    }

    public string AppId { get; }

    public string ResourcesPath { get; }

    public string? ConfigPath { get; }

    public int? AppPort { get; }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public DaprClient Client { get; }

    /// <summary>daprd's flags for this sidecar.</summary>
    public string[] Args => DaprdArgs(AppId, GrpcPort, HttpPort, ResourcesPath, ConfigPath, AppPort);

    /// <summary>
    /// Starts a harness for <paramref name="appId"/> on <c>components/local_parity</c> (or <paramref name="resourcesPath"/>)
    /// with <paramref name="configPath"/> as its --config (none when null; a relative path is taken from the
    /// repository root) and the <see cref="SidecarEnvironment"/> with <paramref name="environment"/> overrides.
    /// </summary>
    public static async Task<HarnessInstance> StartAsync(
        string appId,
        string? resourcesPath = null,
        int? appPort = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? configPath = LocalParityConfig)
    {
        var resources = resourcesPath ?? RepoPaths.Components("local_parity");
        var config = configPath is null ? null : Path.Combine(RepoPaths.Root, configPath);
        var instance = new HarnessInstance(appId, resources, config, appPort, SidecarEnvironment(environment));
        try
        {
            await instance.StartAsync();
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }

        return instance;
    }

    /// <summary>The daprd flags the harness is started with (also by tests that run it as a child process).</summary>
    public static string[] DaprdArgs(string appId, int grpcPort, int httpPort, string resourcesPath, string? configPath, int? appPort = null)
    {
        var args = new List<string>
        {
            "--app-id", appId, "--dapr-grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture),
            "--dapr-http-port", httpPort.ToString(CultureInfo.InvariantCulture),
            "--resources-path", resourcesPath,
        };
        if (configPath is not null)
        {
            args.AddRange(["--config", configPath]);
        }

        if (appPort is { } port)
        {
            args.AddRange(["--app-port", port.ToString(CultureInfo.InvariantCulture)]);
        }

        return [.. args];
    }

    /// <summary>A harness's environment: the backends' env file, the harness database, then <paramref name="overrides"/>.</summary>
    public static IReadOnlyDictionary<string, string> SidecarEnvironment(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var env = new Dictionary<string, string>(BackendEnvironment.Current.Values, StringComparer.Ordinal)
        {
            ["HARNESS_POSTGRES_CONNECTION"] = BackendEnvironment.Current.PostgresConnection,
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return env;
    }

    public async Task StartAsync()
    {
        _app = await HarnessHost.BuildAsync(Args, name => Environment.GetValueOrDefault(name));
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
    }
}
