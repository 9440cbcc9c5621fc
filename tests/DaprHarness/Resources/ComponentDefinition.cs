namespace DaprHarness.Resources;

/// <summary>A <c>kind: Component</c> resource, validated for shape (not yet for its type's metadata).</summary>
public sealed record ComponentDefinition(
    string File,
    string Name,
    string? Namespace,
    string Type,
    string Version,
    IReadOnlyList<MetadataItem> Metadata,
    IReadOnlyList<string> Scopes,
    string? AuthSecretStore,
    TimeSpan InitTimeout,
    bool IgnoreErrors)
{
    public static ComponentDefinition FromDocument(ResourceDocument doc)
    {
        var root = doc.Root;
        root.Map("metadata")!.RejectUnreadExcept("name", "namespace", "labels", "annotations");
        var spec = root.Map("spec") ?? throw root.Error("spec", "is required");
        var type = spec.RequiredString("type");
        var version = spec.Scalar("version");
        if (string.IsNullOrEmpty(version))
        {
            // daprd falls back to a default version per type (v1 for state.postgresql), which silently changes
            // the storage layout; the project always pins it.
            throw spec.Error("version", "is required (set it explicitly, e.g. v1 or v2)");
        }

        var initTimeout = spec.Duration("initTimeout") ?? TimeSpan.FromSeconds(5);
        var ignoreErrors = spec.Flag("ignoreErrors", false);
        var items = spec.MapList("metadata").Select(MetadataItem.FromMap).ToList();
        spec.RejectUnread();

        var duplicate = items.GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new HarnessStartupException(doc.File, $"spec.metadata[{duplicate.Key}]", "is set more than once");
        }

        var auth = root.Map("auth");
        var authStore = auth?.Scalar("secretStore");
        auth?.RejectUnread();
        var scopes = doc.Scopes;
        root.RejectUnread();
        return new ComponentDefinition(doc.File, doc.Name, doc.Namespace, type, version, items, scopes, authStore, initTimeout, ignoreErrors);
    }
}

public sealed record SecretKeyRef(string Name, string Key);

/// <summary>One <c>spec.metadata[]</c> entry: exactly one of value, secretKeyRef or envRef.</summary>
public sealed record MetadataItem(string Name, string? Value, SecretKeyRef? SecretKeyRef, string? EnvRef, string FieldPath)
{
    public static MetadataItem FromMap(YamlMap map)
    {
        var name = map.RequiredString("name");
        var field = $"{map.Path}({name})";
        var value = map.Scalar("value");
        var envRef = map.Scalar("envRef");
        SecretKeyRef? secretRef = null;
        if (map.Map("secretKeyRef") is { } refMap)
        {
            var refName = refMap.RequiredString("name");
            // daprd uses the secret name as the key when key is omitted.
            secretRef = new SecretKeyRef(refName, refMap.Scalar("key") ?? refName);
            refMap.RejectUnread();
        }

        map.RejectUnread();
        var set = (value is null ? 0 : 1) + (envRef is null ? 0 : 1) + (secretRef is null ? 0 : 1);
        if (set > 1)
        {
            throw new HarnessStartupException(map.File, field, "set only one of value, secretKeyRef or envRef");
        }

        return new MetadataItem(name, value, secretRef, envRef, field);
    }
}
