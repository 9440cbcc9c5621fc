using System.Collections.Frozen;
using System.Text.Json;
using Json.Schema;

namespace Platform.Testing;

/// <summary>Validates serialized records against the JSON Schemas in the repository's <c>schemas/</c>, the contract of record.</summary>
public static class SchemaContract
{
    // Keywords whose next segment of an evaluation path is a name, not a keyword.
    private static readonly FrozenSet<string> NamingKeywords =
        FrozenSet.Create(StringComparer.Ordinal, "properties", "patternProperties", "$defs", "definitions", "dependentSchemas");

    // Every schema under schemas/, built once into one private registry: a cross-file $ref resolves only against a
    // registered schema, whatever order tests load them in; JsonSchema.Net refuses a second registration of an $id;
    // and nothing here collides with schemas an app under test builds in its own registry.
    private static readonly Lazy<FrozenDictionary<string, JsonSchema>> All = new(LoadAll);

    public static string SchemasDirectory { get; } = Path.Combine(RepoPaths.Root, "schemas");

    /// <summary>The path of a schema given relative to <c>schemas/</c> (<c>ig/receipt.v1.schema.json</c>).</summary>
    public static string PathOf(string schemaFile) => Path.Combine(SchemasDirectory, schemaFile);

    public static JsonSchema Load(string schemaFile) =>
        All.Value.TryGetValue(schemaFile, out var schema) ? schema : throw new FileNotFoundException($"no schema {schemaFile} under {SchemasDirectory}");

    /// <summary>The validation errors of <paramref name="instance"/> as <c>pointer: message</c>; empty when it conforms.</summary>
    public static IReadOnlyList<string> Errors(string schemaFile, JsonElement instance)
    {
        var result = Load(schemaFile).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return [];
        }

        var details = result.Details ?? [];

        // Under a "not" the verdict is inverted: a failing subschema is what lets the document pass, so its errors are
        // no reason, and a subschema that passes is the failure, which JsonSchema.Net reports without any error.
        var failed = details.Where(d => d.Errors is not null && FirstNotKeyword(Segments(d)) < 0)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        var invalid = details.Where(d => !d.IsValid).Select(d => (d.InstanceLocation.ToString(), d.EvaluationPath.ToString())).ToHashSet();
        var notMatched = details
            .Where(d => d.IsValid && Segments(d) is var path && path.Length > 0 && FirstNotKeyword(path) == path.Length - 1
                && invalid.Contains((d.InstanceLocation.ToString(), Parent(d.EvaluationPath.ToString()))))
            .Select(d => $"{d.InstanceLocation}: matches the schema at {d.EvaluationPath}, which it must not");
        return [.. failed, .. notMatched];
    }

    private static FrozenDictionary<string, JsonSchema> LoadAll()
    {
        var registry = new SchemaRegistry();
        return Directory.EnumerateFiles(SchemasDirectory, "*.schema.json", SearchOption.AllDirectories)
            .ToFrozenDictionary(
                file => Path.GetRelativePath(SchemasDirectory, file).Replace(Path.DirectorySeparatorChar, '/'),
                file => JsonSchema.FromFile(file, new BuildOptions { SchemaRegistry = registry }),
                StringComparer.Ordinal);
    }

    /// <summary>The index of the first <c>not</c> keyword among an evaluation path's segments, or -1.</summary>
    private static int FirstNotKeyword(string[] segments)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] == "not" && (i == 0 || !NamingKeywords.Contains(segments[i - 1])))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Parent(string evaluationPath) => evaluationPath[..evaluationPath.LastIndexOf('/')];

    private static string[] Segments(EvaluationResults result) => result.EvaluationPath.ToString().Split('/', StringSplitOptions.RemoveEmptyEntries);
}
