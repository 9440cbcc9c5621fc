namespace DaprHarness.Secrets;

/// <summary>One <c>spec.secrets.scopes[]</c> entry of the sidecar Configuration.</summary>
public sealed record SecretScope(string StoreName, bool DefaultAllow, IReadOnlySet<string> AllowedSecrets, IReadOnlySet<string> DeniedSecrets)
{
    /// <summary>
    /// daprd's precedence (pkg/config/configuration.go SecretsScope.IsSecretAllowed, release-1.17): a non-empty
    /// allowedSecrets list decides alone; otherwise a listed denied secret is refused; otherwise defaultAccess.
    /// Names match exactly (case-sensitive).
    /// </summary>
    public bool Allows(string key)
    {
        if (AllowedSecrets.Count > 0)
        {
            return AllowedSecrets.Contains(key);
        }

        return !DeniedSecrets.Contains(key) && DefaultAllow;
    }
}

/// <summary>The secret scopes of the sidecar Configuration, by store name.</summary>
public sealed class SecretScopes(IReadOnlyDictionary<string, SecretScope> byStore)
{
    public static readonly SecretScopes None = new(new Dictionary<string, SecretScope>());

    /// <summary>A store without a scope entry allows every secret (pkg/api/universal/secrets.go isSecretAllowed).</summary>
    public bool IsAllowed(string storeName, string key) =>
        !byStore.TryGetValue(storeName, out var scope) || scope.Allows(key);
}
