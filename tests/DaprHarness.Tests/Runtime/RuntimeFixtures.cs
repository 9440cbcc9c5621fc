using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using Platform.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DaprHarness.Tests.Runtime;

/// <summary>A temporary directory for resource YAML, config files and secrets JSON; deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    public TempFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "harness-runtime-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A subdirectory holding copies of the named files of components/local_parity, unchanged.</summary>
    public string LocalParityResources(params string[] files)
    {
        var dir = Path.Combine(Directory, "resources-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        foreach (var file in files)
        {
            File.Copy(Path.Combine(RepoPaths.Components("local_parity"), file), Path.Combine(dir, file));
        }

        return dir;
    }

    /// <summary>A subdirectory with the given YAML resources (name → content).</summary>
    public string Resources(params (string Name, string Yaml)[] files)
    {
        var dir = Path.Combine(Directory, "resources-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(Path.Combine(dir, name), yaml);
        }

        return dir;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

internal static class AppIds
{
    /// <summary>A lower-case app id no other test run uses (the harness app registry is shared).</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
}

/// <summary>
/// A harness started with daprd's flags and an arbitrary --config file: HarnessInstance only takes
/// local_parity's config.yaml, and access control or invalid configurations need others.
/// </summary>
internal sealed class ConfiguredSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConfiguredSidecar(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Client = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{grpcPort}").UseHttpEndpoint($"http://127.0.0.1:{httpPort}").Build();
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public DaprClient Client { get; }

    public static string[] Args(string appId, string resourcesPath, string? configPath, int grpcPort, int httpPort, int? appPort = null)
    {
        var args = new List<string>
        {
            "--app-id", appId, "--resources-path", resourcesPath,
            "--dapr-grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture),
            "--dapr-http-port", httpPort.ToString(CultureInfo.InvariantCulture),
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

    /// <summary>The backends' env file plus the harness database, as HarnessInstance provides it.</summary>
    public static Func<string, string?> Environment(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var env = new Dictionary<string, string>(BackendEnvironment.Current.Values, StringComparer.Ordinal)
        {
            ["HARNESS_POSTGRES_CONNECTION"] = BackendEnvironment.Current.PostgresConnection,
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return name => env.GetValueOrDefault(name);
    }

    public static async Task<ConfiguredSidecar> StartAsync(string appId, string resourcesPath, string? configPath, int? appPort = null)
    {
        var grpcPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var app = await HarnessHost.BuildAsync(Args(appId, resourcesPath, configPath, grpcPort, httpPort, appPort), Environment());
        await app.StartAsync();
        return new ConfiguredSidecar(app, grpcPort, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Client.Dispose();
    }
}

/// <summary>What <see cref="EchoApp"/> saw of a request.</summary>
internal sealed record EchoedRequest(string Method, string Path, string Query, Dictionary<string, string[]> Headers, string Body)
{
    public string[] Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var values) ? values : [];
}

/// <summary>
/// A tiny real ASP.NET Core app on 127.0.0.1 that answers every request with what it received (201 and an
/// <c>x-echo</c> header), except <c>/fail</c>, which answers 503 with a plain-text body and counts the calls.
/// </summary>
internal sealed class EchoApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failures;

    private EchoApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public int FailCalls => Volatile.Read(ref _failures);

    public static async Task<EchoApp> StartAsync()
    {
        EchoApp? echo = null;
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        app.Map("/fail", async context =>
        {
            Interlocked.Increment(ref echo!._failures);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("app is failing");
        });
        app.Map("/{**path}", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var echoed = new EchoedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray()),
                await reader.ReadToEndAsync());
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers["x-echo"] = "1";
            await context.Response.WriteAsJsonAsync(echoed);
        });
        echo = new EchoApp(app, port);
        await app.StartAsync();
        return echo;
    }

    public static async Task<EchoedRequest> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<EchoedRequest>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
