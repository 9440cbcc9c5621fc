using System.Text.Json;
using Json.Schema;

namespace Platform.Substrate.Tests.Contracts;

/// <summary>Validates serialized records against the JSON Schemas in <c>schemas/</c>, the contract of record.</summary>
public static class SchemaContract
{
    private static readonly string SchemasDirectory = FindSchemas();

    public static string PathOf(string fileName) => Path.Combine(SchemasDirectory, fileName);

    // Each schema is loaded once: JsonSchema.Net registers a schema's $id globally and refuses a second registration.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<JsonSchema>> Loaded = new();

    public static JsonSchema Load(string fileName) =>
        Loaded.GetOrAdd(fileName, name => new Lazy<JsonSchema>(() => JsonSchema.FromFile(PathOf(name)))).Value;

    /// <summary>The validation errors of <paramref name="instance"/>; empty when it conforms.</summary>
    public static IReadOnlyList<string> Errors(string schemaFile, JsonElement instance)
    {
        var result = Load(schemaFile).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
                .ToList();
    }

    private static string FindSchemas()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "schemas");
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("schemas/ not found above the test binaries");
    }
}
