using System.Text;
using System.Text.Json;
using Json.Schema;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;

namespace CaseLabels.Domain;

/// <summary>
/// What governs the Label Store writer boundary, fixed at start-up: the taxonomy (the label policy, whose digest is
/// the <c>policy_rev</c> of every ack), the writer boundary version and the assertion schema requests must meet.
/// </summary>
public sealed class LabelPolicy
{
    public const string PolicyId = "label_policy";

    /// <summary>The version of this writer boundary's rules (identity, dedupe, timeline); recorded in every ack and record.</summary>
    public const string WriterBoundaryVersion = "label_store.writer_boundary.v0";

    /// <summary>The taxonomy file, relative to <c>schemas/</c>; also the path in the policy_rev digest.</summary>
    public const string TaxonomyPath = "labels/label_store.taxonomy.v0.json";

    public const string TaxonomySchemaPath = "labels/label_taxonomy.schema.json";
    public const string AssertionSchemaPath = "labels/label_assertion.v0.schema.json";

    private LabelPolicy(LabelTaxonomy taxonomy, PolicyRev policyRev, JsonSchema assertionSchema)
    {
        Taxonomy = taxonomy;
        PolicyRev = policyRev;
        AssertionSchema = assertionSchema;
    }

    public LabelTaxonomy Taxonomy { get; }

    /// <summary><c>{policy_id: label_policy, revision: taxonomy_version, content_digest: H([{path, content}] of the taxonomy file)}</c>.</summary>
    public PolicyRev PolicyRev { get; }

    public JsonSchema AssertionSchema { get; }

    /// <summary>Loads and checks the label policy under <paramref name="schemasDirectory"/>; anything wrong refuses to start.</summary>
    public static LabelPolicy Load(string schemasDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schemasDirectory);
        // A registry per load: JsonSchema.Net refuses a second registration of an $id (a restart in tests).
        var registry = new SchemaRegistry();
        var taxonomyBytes = Read(schemasDirectory, TaxonomyPath);
        var metaSchema = Build(schemasDirectory, TaxonomySchemaPath, registry);
        var assertionSchema = Build(schemasDirectory, AssertionSchemaPath, registry);

        using (var document = ParseJson(TaxonomyPath, taxonomyBytes))
        {
            var result = metaSchema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                var problems = (result.Details ?? []).Where(d => d.Errors is not null)
                    .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
                throw new PlatformStartupException($"{TaxonomyPath} breaks {TaxonomySchemaPath}: {string.Join("; ", problems)}");
            }
        }

        var taxonomy = LabelTaxonomy.Parse(taxonomyBytes);
        var policyRev = PolicyRev.Compute(PolicyId, taxonomy.TaxonomyVersion, [new PolicyFile(TaxonomyPath, taxonomyBytes)]);
        return new LabelPolicy(taxonomy, policyRev, assertionSchema);
    }

    private static byte[] Read(string root, string relativePath)
    {
        var path = Path.Combine(root, relativePath);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new PlatformStartupException($"The label policy file {relativePath} is missing under '{root}'.");
    }

    private static JsonSchema Build(string root, string relativePath, SchemaRegistry registry)
    {
        var bytes = Read(root, relativePath);
        try
        {
            return JsonSchema.FromText(Encoding.UTF8.GetString(bytes), new BuildOptions { SchemaRegistry = registry });
        }
        catch (Exception exception) when (exception is JsonException or JsonSchemaException or ArgumentException)
        {
            throw new PlatformStartupException($"{relativePath} is not a valid JSON Schema: {exception.Message}");
        }
    }

    private static JsonDocument ParseJson(string relativePath, byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException exception)
        {
            throw new PlatformStartupException($"{relativePath} is not valid JSON: {exception.Message}");
        }
    }
}
