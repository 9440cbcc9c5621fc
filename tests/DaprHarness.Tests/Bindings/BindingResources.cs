using Platform.Testing;

namespace DaprHarness.Tests.Bindings;

/// <summary>Components for the binding tests.</summary>
internal static class BindingResources
{
    /// <summary>A stream name no other test uses.</summary>
    public static string UniqueStream(string label) => $"test.{label}.{Guid.NewGuid():N}";

    /// <summary>The local_parity objectstore component (bindings.aws.s3 on s3rver) with the keys given as plain values.</summary>
    public static string S3Component(string name = "objectstore", params (string Name, string Value)[] extra) =>
        ComponentYaml.Component(name, "bindings.aws.s3", "v1",
        [
            ("bucket", BackendEnvironment.Current.S3Bucket),
            ("region", "us-east-1"),
            ("endpoint", BackendEnvironment.Current.S3Endpoint),
            ("forcePathStyle", "true"),
            ("disableSSL", "true"),
            ("accessKey", BackendEnvironment.Current.Secrets["s3-access-key"]),
            ("secretKey", BackendEnvironment.Current.Secrets["s3-secret-key"]),
            .. extra,
        ]);

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
        return ComponentYaml.Component(name, "bindings.aws.kinesis", "v1", metadata, scopes);
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
}
