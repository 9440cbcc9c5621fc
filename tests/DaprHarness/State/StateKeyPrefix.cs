namespace DaprHarness.State;

/// <summary>
/// daprd's state key prefixing (dapr/dapr pkg/components/state/state_config.go): the runtime stores key <c>k</c> of
/// app <c>a</c> as <c>a||k</c> unless the component's <c>keyPrefix</c> metadata says otherwise:
/// <c>appid</c> (default), <c>name</c> (store name), <c>namespace</c> (<c>ns.appid</c>, or the app id when no
/// NAMESPACE is set), <c>none</c>, or any other value, used literally. Neither keys nor the prefix may contain <c>||</c>.
/// </summary>
public sealed class StateKeyPrefix
{
    public const string Separator = "||";

    private StateKeyPrefix(string strategy) => Strategy = strategy;

    public static StateKeyPrefix AppId { get; } = new("appid");

    /// <summary>The lower-cased strategy or literal prefix, as daprd keeps it.</summary>
    public string Strategy { get; }

    /// <summary>
    /// Parses component metadata <c>keyPrefix</c>; null or empty means the default, <c>appid</c>. False when the
    /// value contains the separator (daprd then fails the component's init).
    /// </summary>
    public static bool TryParse(string? value, out StateKeyPrefix prefix)
    {
        var strategy = string.IsNullOrEmpty(value) ? AppId.Strategy : value.ToLowerInvariant();
        prefix = strategy == AppId.Strategy ? AppId : new StateKeyPrefix(strategy);
        return !IsIllegal(strategy);
    }

    public static bool IsIllegal(string keyOrPrefix) => keyOrPrefix.Contains(Separator, StringComparison.Ordinal);

    public static string IllegalMessage(string keyOrPrefix) => $"input key/keyPrefix '{keyOrPrefix}' can't contain '{Separator}'";

    /// <summary>The key as stored. The caller has refused keys containing <see cref="Separator"/>.</summary>
    public string Apply(string key, string storeName, string appId, string? ns) => Strategy switch
    {
        "none" => key,
        "name" => storeName + Separator + key,
        "appid" => appId + Separator + key,
        "namespace" => (string.IsNullOrEmpty(ns) ? appId : $"{ns}.{appId}") + Separator + key,
        _ => Strategy + Separator + key,
    };

    /// <summary>The key the app used: the part after the first separator, if any (daprd's GetOriginalStateKey).</summary>
    public static string Original(string storedKey)
    {
        var parts = storedKey.Split(Separator, 3);
        return parts.Length <= 1 ? storedKey : parts[1];
    }
}
