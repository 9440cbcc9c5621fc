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

    public string[] Args
    {
        get
        {
            var args = new List<string>
            {
                "--app-id", AppId, "--dapr-grpc-port", GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--dapr-http-port", HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--resources-path", ResourcesPath,
            };
            if (ConfigPath is not null)
            {
                args.AddRange(["--config", ConfigPath]);
            }

            if (AppPort is { } port)
            {
                args.AddRange(["--app-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            return [.. args];
        }
    }

    /// <summary>
    /// Starts a harness for <paramref name="appId"/> on <c>components/local_parity</c> (or <paramref name="resourcesPath"/>)
    /// with the backends' env file as its environment plus <paramref name="environment"/> overrides.
    /// </summary>
    public static async Task<HarnessInstance> StartAsync(
        string appId,
        string? resourcesPath = null,
        int? appPort = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool withConfig = true)
    {
        var env = new Dictionary<string, string>(BackendEnvironment.Current.Values, StringComparer.Ordinal)
        {
            ["HARNESS_POSTGRES_CONNECTION"] = BackendEnvironment.Current.PostgresConnection,
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        var resources = resourcesPath ?? RepoPaths.Components("local_parity");
        var config = withConfig ? Path.Combine(RepoPaths.Components("local_parity"), "config.yaml") : null;
        var instance = new HarnessInstance(appId, resources, config, appPort, env);
        await instance.StartAsync();
        return instance;
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
