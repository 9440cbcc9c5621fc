using System.Globalization;

namespace DaprHarness.Cli;

/// <summary>
/// The subset of daprd's command-line flags the project uses. Any other flag stops the harness, so a script
/// never silently relies on a daprd behaviour the harness does not emulate.
/// </summary>
public sealed record DaprdFlags
{
    public required string AppId { get; init; }
    public int? AppPort { get; init; }
    public string AppProtocol { get; init; } = "http";
    public string AppChannelAddress { get; init; } = "127.0.0.1";
    public int DaprGrpcPort { get; init; } = 50001;
    public int DaprHttpPort { get; init; } = 3500;
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];
    public string? ConfigPath { get; init; }
    public string LogLevel { get; init; } = "info";
    public bool EnableApiLogging { get; init; }
    public string? Namespace { get; init; }

    /// <summary>--app-max-concurrency, reported by the metadata API; -1 (daprd's default) means no limit. Not enforced.</summary>
    public int AppMaxConcurrency { get; init; } = -1;

    private static readonly HashSet<string> ValueFlags =
    [
        "app-id", "app-port", "app-protocol", "app-channel-address", "dapr-grpc-port", "dapr-http-port",
        "resources-path", "components-path", "config", "log-level", "placement-host-address",
        "scheduler-host-address", "dapr-internal-grpc-port", "metrics-port", "app-max-concurrency",
    ];

    private static readonly HashSet<string> BooleanFlags = ["enable-api-logging", "enable-metrics"];

    /// <summary>Parses <c>--flag value</c>, <c>--flag=value</c> and daprd's single-dash spelling <c>-flag value</c>.</summary>
    public static DaprdFlags Parse(IReadOnlyList<string> args, string? namespaceFromEnvironment = null)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                throw new HarnessStartupException($"unexpected argument '{arg}'");
            }

            var name = arg.TrimStart('-');
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (BooleanFlags.Contains(name))
            {
                value ??= "true";
            }
            else if (ValueFlags.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new HarnessStartupException($"flag --{name} needs a value");
                    }

                    value = args[++i];
                }
            }
            else
            {
                throw new HarnessStartupException($"flag --{name} is not supported by the harness");
            }

            if (!values.TryGetValue(name, out var list))
            {
                values[name] = list = [];
            }

            list.Add(value);
        }

        string? One(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;
        int? Port(string name)
        {
            var raw = One(name);
            if (raw is null)
            {
                return null;
            }

            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new HarnessStartupException($"flag --{name}: '{raw}' is not a TCP port");
        }

        var appId = One("app-id");
        if (string.IsNullOrWhiteSpace(appId))
        {
            throw new HarnessStartupException("flag --app-id is required");
        }

        var protocol = One("app-protocol") ?? "http";
        if (protocol != "http")
        {
            throw new HarnessStartupException($"flag --app-protocol: only 'http' is supported by the harness, not '{protocol}'");
        }

        if (values.GetValueOrDefault("config") is { Count: > 1 })
        {
            // daprd merges several standalone configs; the harness reads one.
            throw new HarnessStartupException("flag --config: passing it more than once is not supported by the harness");
        }

        var maxConcurrency = One("app-max-concurrency") ?? "-1";
        if (!int.TryParse(maxConcurrency, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var appMaxConcurrency))
        {
            throw new HarnessStartupException($"flag --app-max-concurrency: '{maxConcurrency}' is not an integer");
        }

        var resources = new List<string>();
        resources.AddRange(values.GetValueOrDefault("resources-path") ?? []);
        resources.AddRange(values.GetValueOrDefault("components-path") ?? []);

        return new DaprdFlags
        {
            AppId = appId,
            AppPort = Port("app-port"),
            AppProtocol = protocol,
            AppChannelAddress = One("app-channel-address") ?? "127.0.0.1",
            DaprGrpcPort = Port("dapr-grpc-port") ?? 50001,
            DaprHttpPort = Port("dapr-http-port") ?? 3500,
            ResourcesPaths = resources,
            ConfigPath = One("config"),
            LogLevel = One("log-level") ?? "info",
            EnableApiLogging = One("enable-api-logging") is "true",
            Namespace = string.IsNullOrEmpty(namespaceFromEnvironment) ? null : namespaceFromEnvironment,
            AppMaxConcurrency = appMaxConcurrency,
        };
    }
}
