using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>
/// The service tests' API keys: each corpus caller (<c>traffic</c>, <c>context</c>, <c>traffic_context</c>,
/// <c>rtdl</c>) and an operator has a real key; <c>revoked</c>, <c>unknown</c>, <c>missing</c>, <c>empty</c> do not.
/// </summary>
internal static class TestSecrets
{
    private static readonly Lazy<ApiKeySecretsFile> Shared = new(() => new ApiKeySecretsFile("ig-tests",
    [
        new("traffic", "corpus-traffic", "SYSTEM", "producer:traffic"),
        new("context", "corpus-context", "SYSTEM", "producer:context"),
        new("traffic_context", "corpus-producer", "SYSTEM", "producer:traffic", "producer:context"),
        new("rtdl", "corpus-rtdl", "SYSTEM", "producer:rtdl_decision"),
        new("operator", "corpus-operator", "HUMAN", "operator"),
    ]));

    /// <summary>Pass as PLATFORM_SECRETS_FILE to a harness.</summary>
    public static string FilePath => Shared.Value.FilePath;

    /// <summary>The raw key of a symbolic caller; null for <c>missing</c> (no header), empty for <c>empty</c>.</summary>
    public static string? ApiKey(string caller) => Shared.Value.ApiKey(caller);
}
