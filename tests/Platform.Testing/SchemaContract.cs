using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace Platform.Testing;

/// <summary>Validates serialized records against the JSON Schemas in the repository's <c>schemas/</c>, the contract of record.</summary>
public static class SchemaContract
{
    // One private registry: JsonSchema.Net refuses a second registration of an $id, so each schema is built once,
    // and nothing here collides with schemas an app under test builds in its own registry.
    private static readonly SchemaRegistry Registry = new();
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Loaded = new(StringComparer.Ordinal);

    public static string SchemasDirectory { get; } = Path.Combine(RepoPaths.Root, "schemas");

    /// <summary>The path of a schema given relative to <c>schemas/</c> (<c>ig/receipt.v1.schema.json</c>).</summary>
    public static string PathOf(string schemaFile) => Path.Combine(SchemasDirectory, schemaFile);

    public static JsonSchema Load(string schemaFile) =>
        Loaded.GetOrAdd(schemaFile, name => new Lazy<JsonSchema>(() => JsonSchema.FromFile(PathOf(name), new BuildOptions { SchemaRegistry = Registry }))).Value;

    /// <summary>The validation errors of <paramref name="instance"/> as <c>pointer: message</c>; empty when it conforms.</summary>
    public static IReadOnlyList<string> Errors(string schemaFile, JsonElement instance)
    {
        var result = Load(schemaFile).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
                .ToList();
    }
}
