using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaprHarness.Resources;

/// <summary>
/// Reads Dapr resource YAML the way daprd does in self-hosted mode: every <c>*.yaml</c>/<c>*.yml</c> file directly in
/// each resources path, multi-document files included, filtered by namespace when <c>NAMESPACE</c> is set.
/// </summary>
public static class ResourceLoader
{
    public const string DaprApiVersion = "dapr.io/v1alpha1";

    public static IReadOnlyList<ResourceDocument> LoadDirectories(IEnumerable<string> paths, string? @namespace)
    {
        var documents = new List<ResourceDocument>();
        foreach (var path in paths)
        {
            if (!Directory.Exists(path))
            {
                throw new HarnessStartupException($"resources path '{path}' does not exist");
            }

            var files = Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                documents.AddRange(LoadFile(file).Where(d => @namespace is null || d.Namespace is null || d.Namespace == @namespace));
            }
        }

        return documents;
    }

    public static IReadOnlyList<ResourceDocument> LoadFile(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new HarnessStartupException(file, $"line {e.Start.Line}", $"invalid YAML: {e.Message}");
        }

        var documents = new List<ResourceDocument>();
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue;
            }

            if (ToValue(doc.RootNode) is not IReadOnlyDictionary<string, object?> map)
            {
                throw new HarnessStartupException(file, "(document)", "expected a mapping at the top level");
            }

            var root = new YamlMap(file, "", map);
            var apiVersion = root.RequiredString("apiVersion");
            var kind = root.RequiredString("kind");
            var metadata = root.Map("metadata") ?? throw root.Error("metadata", "is required");
            var name = metadata.RequiredString("name");
            var ns = metadata.Scalar("namespace");
            documents.Add(new ResourceDocument(file, apiVersion, kind, name, ns, root));
        }

        return documents;
    }

    private static object? ToValue(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" ? null : scalar.Value,
        YamlSequenceNode seq => seq.Children.Select(ToValue).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value ?? "",
            kv => ToValue(kv.Value),
            StringComparer.Ordinal),
        _ => null,
    };
}
