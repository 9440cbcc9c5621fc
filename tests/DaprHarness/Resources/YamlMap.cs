using System.Globalization;

namespace DaprHarness.Resources;

/// <summary>
/// A read-only view of a YAML mapping that remembers its file and path, so every error names the exact field.
/// Reading a field marks it as understood; <see cref="RejectUnread"/> then stops on anything the harness ignored.
/// </summary>
public sealed class YamlMap
{
    private readonly IReadOnlyDictionary<string, object?> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlMap(string file, string path, IReadOnlyDictionary<string, object?> values)
    {
        File = file;
        Path = path;
        _values = values;
    }

    public string File { get; }

    public string Path { get; }

    public IEnumerable<string> Keys => _values.Keys;

    public bool Has(string key) => _values.ContainsKey(key);

    public string FieldPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public HarnessStartupException Error(string key, string problem) => new(File, FieldPath(key), problem);

    public string? Scalar(string key)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out var v) switch
        {
            false => null,
            _ when v is null => null,
            _ when v is string s => s,
            _ => throw Error(key, "expected a string"),
        };
    }

    public string RequiredString(string key) =>
        Scalar(key) is { Length: > 0 } s ? s : throw Error(key, "is required");

    public bool Flag(string key, bool fallback)
    {
        var raw = Scalar(key);
        return raw is null ? fallback : ParseBool(raw) ?? throw Error(key, $"'{raw}' is not a boolean");
    }

    public int? Number(string key)
    {
        var raw = Scalar(key);
        if (raw is null)
        {
            return null;
        }

        return int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(key, $"'{raw}' is not an integer");
    }

    public TimeSpan? Duration(string key)
    {
        var raw = Scalar(key);
        if (raw is null)
        {
            return null;
        }

        return GoDuration.TryParse(raw, out var value) ? value : throw Error(key, $"'{raw}' is not a duration such as 5s or 1m30s");
    }

    public YamlMap? Map(string key)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out var v) switch
        {
            false => null,
            _ when v is null => null,
            _ when v is IReadOnlyDictionary<string, object?> m => new YamlMap(File, FieldPath(key), m),
            _ => throw Error(key, "expected a mapping"),
        };
    }

    public IReadOnlyList<YamlMap> MapList(string key)
    {
        _read.Add(key);
        if (!_values.TryGetValue(key, out var v) || v is null)
        {
            return [];
        }

        if (v is not IReadOnlyList<object?> list)
        {
            throw Error(key, "expected a list");
        }

        return list.Select((item, i) => item is IReadOnlyDictionary<string, object?> m
                ? new YamlMap(File, $"{FieldPath(key)}[{i}]", m)
                : throw new HarnessStartupException(File, $"{FieldPath(key)}[{i}]", "expected a mapping"))
            .ToList();
    }

    public IReadOnlyList<string> StringList(string key)
    {
        _read.Add(key);
        if (!_values.TryGetValue(key, out var v) || v is null)
        {
            return [];
        }

        if (v is string single)
        {
            // daprd accepts comma-separated strings in a few list fields (e.g. httpVerb); keep the list shape.
            return single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }

        if (v is not IReadOnlyList<object?> list)
        {
            throw Error(key, "expected a list of strings");
        }

        return list.Select((item, i) => item as string
                ?? throw new HarnessStartupException(File, $"{FieldPath(key)}[{i}]", "expected a string"))
            .ToList();
    }

    /// <summary>Stops on any key of this mapping that the harness did not read, i.e. does not support.</summary>
    public void RejectUnread()
    {
        foreach (var key in _values.Keys)
        {
            if (!_read.Contains(key))
            {
                throw Error(key, "is not supported by the harness");
            }
        }
    }

    /// <summary>Marks <paramref name="keys"/> as understood (fields daprd reads but that change nothing here), then rejects the rest.</summary>
    public void RejectUnreadExcept(params string[] keys)
    {
        foreach (var key in keys)
        {
            _read.Add(key);
        }

        RejectUnread();
    }

    public static bool? ParseBool(string raw) => raw.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };
}
