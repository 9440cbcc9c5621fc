using System.Text.Json;
using DaprHarness.Components;

namespace DaprHarness.Secrets;

/// <summary>
/// <c>secretstores.local.file</c> v1: secrets from a JSON file read once at start-up
/// (components-contrib release-1.17 secretstores/local/file/filestore.go and metadata.yaml).
/// </summary>
public sealed class LocalFileSecretStoreFactory : IComponentFactory
{
    public string Type => "secretstores.local.file";

    public IReadOnlyCollection<string> Versions => ["v1"];

    public IReadOnlyCollection<string> MetadataFields => ["secretsFile", "nestedSeparator", "multiValued"];

    public int LoadOrder => 0;

    public Task<IHarnessComponent> CreateAsync(ComponentMetadata metadata, HarnessContext context, CancellationToken cancellationToken)
    {
        // daprd opens the path with os.Open, so a relative path resolves against its working directory.
        var file = Path.GetFullPath(metadata.Required("secretsFile"));
        var separator = metadata.Get("nestedSeparator") ?? ":";
        var multiValued = metadata.Flag("multiValued", false);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw metadata.Error("secretsFile", $"cannot read secrets from '{file}': {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw metadata.Error("secretsFile", $"'{file}' must hold a JSON object, not {document.RootElement.ValueKind}");
            }

            var secrets = LocalFileSecrets.Load(document.RootElement, separator, multiValued,
                duplicate => metadata.Error("secretsFile",
                    $"'{file}': key '{duplicate}' occurs twice after flattening with nestedSeparator '{separator}' (daprd would keep an arbitrary subset of the file)"));
            return Task.FromResult<IHarnessComponent>(new LocalFileSecretStore(metadata.Definition.Name, secrets, multiValued));
        }
    }
}

/// <summary>The loaded secrets: each value is a string, or (multiValued) a map of strings.</summary>
public sealed class LocalFileSecretStore(string name, IReadOnlyDictionary<string, object> secrets, bool multiValued) : ISecretStoreComponent
{
    public string Name { get; } = name;

    /// <summary>The store's features as daprd lists them in the metadata API.</summary>
    public IReadOnlyList<string> Capabilities { get; } = multiValued ? ["MULTIPLE_KEY_VALUES_PER_SECRET"] : [];

    /// <summary>A plain secret answers <c>{name: value}</c>; a multi-valued one its whole map (filestore.go GetSecret).</summary>
    public Task<IReadOnlyDictionary<string, string>?> GetSecretAsync(
        string key, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(secrets.TryGetValue(key, out var value) ? Expand(key, value) : null);

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretAsync(
        IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(
            secrets.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)Expand(kv.Key, kv.Value), StringComparer.Ordinal));

    private static Dictionary<string, string> Expand(string key, object value) => value switch
    {
        string single => new Dictionary<string, string>(StringComparer.Ordinal) { [key] = single },
        IReadOnlyDictionary<string, string> many => new Dictionary<string, string>(many, StringComparer.Ordinal),
        _ => throw new InvalidOperationException($"unexpected secret value for '{key}'"),
    };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>How filestore.go turns the JSON document into secrets.</summary>
public static class LocalFileSecrets
{
    /// <summary>
    /// Without multiValued every leaf becomes one secret named by its path joined with the separator (array items
    /// by index). With multiValued only the top level names secrets: a string stays a string, an object becomes a
    /// map of its flattened leaves, and any other top-level value is dropped, as in filestore.go Init.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Load(
        JsonElement root, string separator, bool multiValued, Func<string, Exception> duplicateKey)
    {
        var secrets = new Dictionary<string, object>(StringComparer.Ordinal);
        if (!multiValued)
        {
            foreach (var (key, value) in Flatten(root, separator))
            {
                if (!secrets.TryAdd(key, value))
                {
                    throw duplicateKey(key);
                }
            }

            return secrets;
        }

        foreach (var (key, value) in Properties(root))
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                secrets[key] = value.GetString()!;
            }
            else if (value.ValueKind == JsonValueKind.Object)
            {
                var inner = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (innerKey, innerValue) in Flatten(value, separator))
                {
                    if (!inner.TryAdd(innerKey, innerValue))
                    {
                        throw duplicateKey($"{key}/{innerKey}");
                    }
                }

                secrets[key] = inner;
            }
        }

        return secrets;
    }

    private static IEnumerable<(string Key, string Value)> Flatten(JsonElement element, string separator, string? prefix = null)
    {
        IEnumerable<(string, JsonElement)> children = element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray().Select((item, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), item))
            : Properties(element);
        foreach (var (name, child) in children)
        {
            var path = prefix is null ? name : prefix + separator + name;
            if (child.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                foreach (var leaf in Flatten(child, separator, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (path, GoFormat.PercentS(child));
            }
        }
    }

    /// <summary>An object's members; a repeated member keeps its last value, as encoding/json does.</summary>
    private static IEnumerable<(string, JsonElement)> Properties(JsonElement element)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            members[property.Name] = property.Value;
        }

        return members.Select(kv => (kv.Key, kv.Value));
    }
}
