using Dapr.Client;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>Secrets by name from the <c>secretstore</c> component; the only way the platform reads a secret.</summary>
public interface ISecretReader
{
    /// <summary>The secret's value; throws when the store has no such secret.</summary>
    Task<string> GetSecretAsync(string name, CancellationToken cancellationToken);
}

public sealed class DaprSecrets(DaprClient client, string componentName = PlatformNames.Components.SecretStore) : ISecretReader
{
    public async Task<string> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var values = await client.GetSecretAsync(componentName, name, cancellationToken: cancellationToken);
        // A plain-string secret comes back as {name: value} from the local file store, AWS Secrets Manager and a
        // Kubernetes secret whose key equals its name.
        return values.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"Secret store '{componentName}' returned no value named '{name}'.");
    }
}
