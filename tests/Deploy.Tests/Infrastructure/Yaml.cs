using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Infrastructure;

/// <summary>Reading YAML documents by path without a schema: what the deployment tests need and no more.</summary>
internal static class Yaml
{
    public static List<YamlMappingNode> LoadAll(TextReader reader)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    public static List<YamlMappingNode> LoadFile(string path)
    {
        using var reader = new StreamReader(path);
        return LoadAll(reader);
    }

    /// <summary>The node at <paramref name="path"/> (mapping keys), or null when any step is missing.</summary>
    public static YamlNode? Node(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static string? Scalar(this YamlNode node, params string[] path) => (node.Node(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.Node(path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static IReadOnlyDictionary<string, string> Map(this YamlNode node, params string[] path) =>
        node.Node(path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => (c.Value as YamlScalarNode)?.Value ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public static string Kind(this YamlNode node) => node.Scalar("kind") ?? string.Empty;

    public static string Name(this YamlNode node) => node.Scalar("metadata", "name") ?? string.Empty;
}
