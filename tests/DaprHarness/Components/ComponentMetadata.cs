using System.Globalization;
using DaprHarness.Resources;

namespace DaprHarness.Components;

/// <summary>
/// A component's metadata after secretKeyRef/envRef resolution. Keys are case-insensitive, as in daprd's decoding.
/// Every getter names the component file and field on error.
/// </summary>
public sealed class ComponentMetadata(ComponentDefinition definition, IReadOnlyDictionary<string, string> values)
{
    private readonly Dictionary<string, string> _values = new(values, StringComparer.OrdinalIgnoreCase);

    public ComponentDefinition Definition { get; } = definition;

    public IReadOnlyDictionary<string, string> Values => _values;

    public HarnessStartupException Error(string name, string problem) =>
        new(Definition.File, $"spec.metadata({name})", problem);

    public string? Get(string name) => _values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public string Required(string name) => Get(name) ?? throw Error(name, "is required");

    public bool Flag(string name, bool fallback)
    {
        var raw = Get(name);
        return raw is null ? fallback : YamlMap.ParseBool(raw) ?? throw Error(name, $"'{raw}' is not a boolean");
    }

    public int Number(string name, int fallback)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Error(name, $"'{raw}' is not an integer");
    }

    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return fallback;
        }

        // daprd accepts Go durations and, for many fields, plain seconds.
        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return GoDuration.TryParse(raw, out var value) ? value : throw Error(name, $"'{raw}' is not a duration");
    }

    public string OneOf(string name, string fallback, params string[] allowed)
    {
        var raw = Get(name) ?? fallback;
        return allowed.Contains(raw, StringComparer.Ordinal)
            ? raw
            : throw Error(name, $"'{raw}' is not one of {string.Join(", ", allowed)}");
    }
}
