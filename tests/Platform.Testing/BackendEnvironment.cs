using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;

namespace Platform.Testing;

/// <summary>
/// The local backing services started by deploy/local_parity/backends-up.sh, read from the env file it writes.
/// Tests fail (never skip) when the services are not running: they exist to exercise the real ones.
/// </summary>
public sealed class BackendEnvironment
{
    private static readonly Lazy<BackendEnvironment> Shared = new(Load);

    private readonly Lazy<IReadOnlyDictionary<string, string>> _secrets;

    private BackendEnvironment(IReadOnlyDictionary<string, string> values)
    {
        Values = values;
        _secrets = new(() => JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(this["PLATFORM_SECRETS_FILE"]))
            ?? throw new InvalidOperationException("the local_parity secrets file is JSON null"));
    }

    public static BackendEnvironment Current => Shared.Value;

    public IReadOnlyDictionary<string, string> Values { get; }

    public string this[string name] => Values.TryGetValue(name, out var v)
        ? v
        : throw new InvalidOperationException($"{name} is missing from the backends env file");

    /// <summary>Npgsql connection string of the platform database.</summary>
    public string PostgresConnection => this["PLATFORM_PG_CONNECTION"];

    public string S3Endpoint => this["PLATFORM_S3_ENDPOINT"];

    public string S3Bucket => this["PLATFORM_S3_BUCKET"];

    /// <summary>The secrets file backends-up.sh generated: what the local_parity <c>secretstore</c> component serves.</summary>
    public IReadOnlyDictionary<string, string> Secrets => _secrets.Value;

    /// <summary>An S3 client straight to s3rver with the keys the <c>objectstore</c> component uses, to check what it stored.</summary>
    public AmazonS3Client S3Client() => new(
        new BasicAWSCredentials(Secrets["s3-access-key"], Secrets["s3-secret-key"]),
        new AmazonS3Config
        {
            ServiceURL = S3Endpoint,
            ForcePathStyle = true,
            UseHttp = true,
            AuthenticationRegion = "us-east-1",
            // s3rver understands neither the SDK's default CRC trailers nor aws-chunked bodies.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    private static BackendEnvironment Load()
    {
        var dir = Environment.GetEnvironmentVariable("PLATFORM_STATE_DIR") is { Length: > 0 } d ? d : "/tmp/platform-local_parity";
        var file = Path.Combine(dir, "env");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException(
                $"{file} not found: start the local backing services first (bash deploy/local_parity/backends-up.sh)");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(file))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..];
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var value = line[(eq + 1)..];
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..eq]] = value;
        }

        return new BackendEnvironment(values);
    }
}
