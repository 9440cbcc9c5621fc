namespace Platformctl.Parity;

/// <summary>components/dapr-component-fields.yaml: per Dapr component type, its versions and documented metadata names.</summary>
public sealed class DaprFieldTable
{
    public const string FileName = "dapr-component-fields.yaml";

    private static readonly string[] ValueSources = ["value", "secretKeyRef", "envRef"];

    private readonly Dictionary<string, (IReadOnlyList<string> Versions, HashSet<string> Fields)> _types;

    private DaprFieldTable(Dictionary<string, (IReadOnlyList<string>, HashSet<string>)> types) => _types = types;

    public IEnumerable<string> Types => _types.Keys;

    public static DaprFieldTable Load(string path)
    {
        var types = ParityContract.Map(YamlResource.LoadMapping(path), "types", path);
        var table = new Dictionary<string, (IReadOnlyList<string>, HashSet<string>)>(StringComparer.Ordinal);
        foreach (var (type, value) in types)
        {
            var entry = value as IReadOnlyDictionary<string, object?> ?? throw new InvalidDataException($"{path}: types.{type}: a mapping is required");
            table[type] = (ParityContract.Strings(entry, "versions", path), ParityContract.Strings(entry, "fields", path).ToHashSet(StringComparer.Ordinal));
        }

        return new DaprFieldTable(table);
    }

    /// <summary>What is wrong with a component's type, version and metadata names; empty when all are documented.</summary>
    public IEnumerable<(string Field, string Rule)> Check(YamlResource component)
    {
        var type = component.Type;
        if (type is null || !_types.TryGetValue(type, out var known))
        {
            yield return ("spec.type", $"'{type}' is not a component type in {FileName}");
            yield break;
        }

        var version = component.Spec?.GetValueOrDefault("version") as string;
        if (string.IsNullOrEmpty(version))
        {
            yield return ("spec.version", "version must be set explicitly (Dapr falls back to a default, e.g. v1 for state.postgresql)");
        }
        else if (!known.Versions.Contains(version))
        {
            yield return ("spec.version", $"'{version}' is not a documented version of {type} ({string.Join(", ", known.Versions)})");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in component.MetadataItems)
        {
            var name = item.GetValueOrDefault("name") as string ?? "";
            if (!seen.Add(name))
            {
                yield return ($"spec.metadata[{name}]", "named twice: Dapr keeps one of them silently");
            }

            if (!known.Fields.Contains(name))
            {
                yield return ($"spec.metadata[{name}]", $"not a documented metadata field of {type} (see {FileName})");
            }

            var sources = ValueSources.Count(item.ContainsKey);
            if (sources != 1)
            {
                yield return ($"spec.metadata[{name}]", "needs exactly one of value, secretKeyRef, envRef");
            }
        }
    }
}
