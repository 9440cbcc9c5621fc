using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Platform.Testing;

namespace DaprHarness.Tests.Bindings;

/// <summary>Component sets for the binding tests, written into temp directories, and direct access to the backends.</summary>
internal static class BindingResources
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Secrets = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(BackendEnvironment.Current["PLATFORM_SECRETS_FILE"]))!);

    public static string S3AccessKey => Secrets.Value["s3-access-key"];

    public static string S3SecretKey => Secrets.Value["s3-secret-key"];

    /// <summary>Writes <paramref name="documents"/> (file name → YAML) into a new directory.</summary>
    public static string Write(params (string File, string Yaml)[] documents)
    {
        var dir = Path.Combine(Path.GetTempPath(), "daprharness-binding-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var (file, yaml) in documents)
        {
            File.WriteAllText(Path.Combine(dir, file), yaml);
        }

        return dir;
    }

    /// <summary>A stream name no other test uses.</summary>
    public static string UniqueStream(string label) => $"test.{label}.{Guid.NewGuid():N}";

    /// <summary>The local_parity objectstore component (bindings.aws.s3 on s3rver) with the keys given as plain values.</summary>
    public static string S3Component(string name = "objectstore", params (string Name, string Value)[] extra) =>
        Component(name, "bindings.aws.s3",
        [
            ("bucket", BackendEnvironment.Current.S3Bucket),
            ("region", "us-east-1"),
            ("endpoint", BackendEnvironment.Current.S3Endpoint),
            ("forcePathStyle", "true"),
            ("disableSSL", "true"),
            ("accessKey", S3AccessKey),
            ("secretKey", S3SecretKey),
            .. extra,
        ], []);

    /// <summary>A bindings.aws.kinesis component shaped like local_parity's eb-* components.</summary>
    public static string KinesisComponent(string name, string stream, string? direction, string? consumerName, IReadOnlyList<string> scopes, params (string Name, string Value)[] extra)
    {
        var metadata = new List<(string, string)> { ("streamName", stream) };
        if (direction is not null)
        {
            metadata.Add(("direction", direction));
        }

        if (consumerName is not null)
        {
            if (!extra.Any(e => e.Name == "mode"))
            {
                metadata.Add(("mode", "shared"));
            }

            metadata.Add(("consumerName", consumerName));
        }

        metadata.AddRange([("region", "us-east-1"), ("endpoint", BackendEnvironment.Current["PLATFORM_AWS_ENDPOINT"]), ("accessKey", "local"), ("secretKey", "local")]);
        metadata.AddRange(extra);
        return Component(name, "bindings.aws.kinesis", metadata, scopes);
    }

    /// <summary>A Resiliency resource with one constant retry policy as the inbound policy of <paramref name="component"/>.</summary>
    public static string InboundRetry(string component, int maxRetries) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: inbound-retry
        spec:
          policies:
            retries:
              quick:
                policy: constant
                duration: 50ms
                maxRetries: {maxRetries}
          targets:
            components:
              {component}:
                inbound:
                  retry: quick

        """;

    /// <summary>An S3 client straight to s3rver, to check what the binding really stored.</summary>
    public static AmazonS3Client DirectS3() => new(
        new BasicAWSCredentials(S3AccessKey, S3SecretKey),
        new AmazonS3Config
        {
            ServiceURL = BackendEnvironment.Current.S3Endpoint,
            ForcePathStyle = true,
            UseHttp = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    private static string Component(string name, string type, IEnumerable<(string Name, string Value)> metadata, IReadOnlyList<string> scopes)
    {
        var items = string.Concat(metadata.Select(m => $"    - name: {m.Name}\n      value: \"{m.Value}\"\n"));
        var scopeLines = scopes.Count > 0 ? "scopes:\n" + string.Concat(scopes.Select(s => $"  - {s}\n")) : "";
        return $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: {type}
              version: v1
              metadata:

            """ + items + scopeLines;
    }
}
