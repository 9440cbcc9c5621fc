using Platform.Testing;

namespace FeatureStore.Tests.Service;

/// <summary>
/// OFS's service-test API keys: a producer (traffic and context, so the real IG admits events) and an operator (OFS jobs).
/// </summary>
internal static class TestSecrets
{
    private static readonly Lazy<ApiKeySecretsFile> Shared = new(() => new ApiKeySecretsFile("ofs-tests",
    [
        new("producer", "ofs-tests-producer", "SYSTEM", "producer:traffic", "producer:context"),
        new("operator", "ofs-tests-operator", "HUMAN", "operator"),
    ]));

    /// <summary>Pass as PLATFORM_SECRETS_FILE to a harness.</summary>
    public static string FilePath => Shared.Value.FilePath;

    public static string ProducerKey => Shared.Value.ApiKey("producer")!;

    public static string OperatorKey => Shared.Value.ApiKey("operator")!;
}
