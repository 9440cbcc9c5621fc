using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;

namespace CaseLabels.Domain;

/// <summary>
/// The versioned label vocabulary (CONTRACTS §10, <c>label_store.taxonomy.v0</c>): label types and the values each
/// may take. Read from <see cref="LabelPolicy.TaxonomyPath"/>; nothing outside that file names a type or value.
/// </summary>
public sealed class LabelTaxonomy
{
    private readonly Dictionary<string, HashSet<string>> _values;

    private LabelTaxonomy(string taxonomyVersion, Dictionary<string, HashSet<string>> values)
    {
        TaxonomyVersion = taxonomyVersion;
        _values = values;
    }

    public string TaxonomyVersion { get; }

    public IEnumerable<string> LabelTypes => _values.Keys.Order(StringComparer.Ordinal);

    public IReadOnlySet<string> ValuesOf(string labelType) =>
        _values.TryGetValue(labelType, out var values) ? values : new HashSet<string>();

    /// <summary>Null when <paramref name="value"/> is a value of <paramref name="labelType"/>; otherwise the reject reason.</summary>
    public string? Check(string labelType, string value) =>
        !_values.TryGetValue(labelType, out var values) ? LabelReasonCode.UnknownLabelType
        : values.Contains(value) ? null
        : LabelReasonCode.UnknownLabelValue;

    /// <summary>Builds the taxonomy from a file that already passed its meta-schema.</summary>
    internal static LabelTaxonomy Parse(ReadOnlySpan<byte> json)
    {
        var file = JsonSerializer.Deserialize<TaxonomyFile>(json, PlatformJson.Options)
            ?? throw new InvalidDataException("The taxonomy file is JSON null.");
        return new LabelTaxonomy(
            file.TaxonomyVersion,
            file.LabelTypes.ToDictionary(t => t.Key, t => t.Value.Values.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal));
    }

    private sealed record TaxonomyFile(string TaxonomyVersion, string? Description, Dictionary<string, LabelTypeEntry> LabelTypes);

    private sealed record LabelTypeEntry([property: JsonPropertyName("values")] IReadOnlyList<string> Values);
}
