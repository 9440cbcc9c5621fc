using Platform.Testing;

namespace CaseLabels.Tests.Service;

/// <summary>
/// cm's service-test API keys: an analyst (HUMAN, labeler), a chargeback feed (SYSTEM, label-feed), a rules service
/// (SYSTEM, labeler), a producer (no label role) and an operator (reads only).
/// </summary>
internal static class TestSecrets
{
    private static readonly Lazy<ApiKeySecretsFile> Shared = new(() => new ApiKeySecretsFile("cm-tests",
    [
        new("analyst", "cm-tests-analyst", "HUMAN", "labeler"),
        new("feed", "cm-tests-chargebacks", "SYSTEM", "label-feed"),
        new("rules", "cm-tests-rules", "SYSTEM", "labeler"),
        new("producer", "cm-tests-producer", "SYSTEM", "producer:traffic"),
        new("operator", "cm-tests-operator", "HUMAN", "operator"),
    ]));

    /// <summary>Pass as PLATFORM_SECRETS_FILE to a harness.</summary>
    public static string FilePath => Shared.Value.FilePath;

    /// <summary>The raw key of a symbolic caller; null for <c>missing</c> (no header), empty for <c>empty</c>.</summary>
    public static string? ApiKey(string caller) => Shared.Value.ApiKey(caller);
}
