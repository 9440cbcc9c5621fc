using Dapr;
using Dapr.Client;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>Secrets by name from the <c>secretstore</c> component; the only way the platform reads a secret.</summary>
public interface ISecretReader
{
    /// <summary>
    /// The secret's value; throws when the store has no such secret, and <see cref="SecretAccessDeniedException"/>
    /// when this app may not read it.
    /// </summary>
    Task<string> GetSecretAsync(string name, CancellationToken cancellationToken);
}

public sealed class DaprSecrets(DaprClient client, string componentName = PlatformNames.Components.SecretStore) : ISecretReader
{
    public async Task<string> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Dictionary<string, string> values;
        try
        {
            values = await client.GetSecretAsync(componentName, name, cancellationToken: cancellationToken);
        }
        catch (DaprException ex) when (DaprErrors.IsPermissionDenied(ex))
        {
            // The SDK's own message names neither the secret nor the reason.
            throw new SecretAccessDeniedException(componentName, name, ex);
        }

        // A plain-string secret comes back as {name: value} from the local file store, AWS Secrets Manager and a
        // Kubernetes secret whose key equals its name.
        return values.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"Secret store '{componentName}' returned no value named '{name}'.");
    }
}

/// <summary>The sidecar refused a secret to this app: its Configuration's secret scopes do not allow it.</summary>
public sealed class SecretAccessDeniedException(string store, string name, Exception inner)
    : UnauthorizedAccessException(
        $"Secret '{name}' of store '{store}' is denied to this app by the sidecar Configuration's secret scopes (spec.secrets.scopes).",
        inner)
{
    public string Store { get; } = store;

    public string SecretName { get; } = name;
}
