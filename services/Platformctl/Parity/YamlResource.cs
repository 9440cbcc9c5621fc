using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platformctl.Parity;

/// <summary>
/// One YAML document as plain values: <see cref="IReadOnlyDictionary{TKey,TValue}"/> for mappings,
/// <see cref="IReadOnlyList{T}"/> for sequences, <see cref="string"/> (or null) for scalars.
/// </summary>
public sealed record YamlResource(string File, int Index, IReadOnlyDictionary<string, object?> Root)
{
    public string? Kind => Root.GetValueOrDefault("kind") as string;

    public string? Name => (Root.GetValueOrDefault("metadata") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("name") as string;

    public IReadOnlyDictionary<string, object?>? Spec => Root.GetValueOrDefault("spec") as IReadOnlyDictionary<string, object?>;

    /// <summary>The component type (<c>spec.type</c>), if any.</summary>
    public string? Type => Spec?.GetValueOrDefault("type") as string;

    /// <summary>The component's <c>spec.metadata</c> items.</summary>
    public IEnumerable<IReadOnlyDictionary<string, object?>> MetadataItems =>
        (Spec?.GetValueOrDefault("metadata") as IReadOnlyList<object?> ?? []).OfType<IReadOnlyDictionary<string, object?>>();

    /// <summary>The plain <c>value</c> of metadata item <paramref name="name"/>, or null.</summary>
    public string? MetadataValue(string name) =>
        MetadataItems.FirstOrDefault(i => i.GetValueOrDefault("name") as string == name)?.GetValueOrDefault("value") as string;

    public IReadOnlyList<string> Scopes =>
        (Root.GetValueOrDefault("scopes") as IReadOnlyList<object?> ?? []).OfType<string>().ToList();

    /// <summary>Reads every non-empty document of <paramref name="file"/>; a YAML error names the file and line.</summary>
    public static IReadOnlyList<YamlResource> Load(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}: line {e.Start.Line}: invalid YAML: {e.Message}", e);
        }

        var documents = new List<YamlResource>();
        foreach (var document in stream.Documents)
        {
            if (ToValue(document.RootNode) is IReadOnlyDictionary<string, object?> root)
            {
                documents.Add(new YamlResource(file, documents.Count, root));
            }
            else if (document.RootNode is not YamlScalarNode { Value: null or "" })
            {
                throw new InvalidDataException($"{file}: expected a mapping at the top of each document");
            }
        }

        return documents;
    }

    /// <summary>Reads a single-document data file (the contract, the field table) as its top-level mapping.</summary>
    public static IReadOnlyDictionary<string, object?> LoadMapping(string file) =>
        Load(file) is [var only] ? only.Root : throw new InvalidDataException($"{file}: expected exactly one YAML document");

    private static object? ToValue(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" ? null : scalar.Value,
        YamlSequenceNode sequence => sequence.Children.Select(ToValue).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? "",
            pair => ToValue(pair.Value),
            StringComparer.Ordinal),
        _ => null,
    };
}
