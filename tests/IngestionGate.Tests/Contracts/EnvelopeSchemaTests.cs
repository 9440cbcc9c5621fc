using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using IngestionGate.Tests.Corpus;
using Platform.Testing;

namespace IngestionGate.Tests.Contracts;

/// <summary>The envelope and policy contracts as shipped next to the app are the repository's, and records conform.</summary>
public sealed class EnvelopeSchemaTests
{
    private const string Schema = "event_envelope.v1.schema.json";

    [Fact]
    public void The_app_ships_the_repository_schemas_byte_for_byte()
    {
        var repository = Directory.EnumerateFiles(SchemaContract.SchemasDirectory, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SchemaContract.SchemasDirectory, f)).Order(StringComparer.Ordinal).ToList();
        var shipped = Directory.EnumerateFiles(TestPolicy.ShippedSchemas, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TestPolicy.ShippedSchemas, f)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(repository, shipped);
        foreach (var file in repository)
        {
            Assert.Equal(File.ReadAllBytes(SchemaContract.PathOf(file)), File.ReadAllBytes(Path.Combine(TestPolicy.ShippedSchemas, file)));
        }
    }

    [Fact]
    public void The_envelope_has_exactly_the_fields_of_contracts_section_2()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaContract.PathOf(Schema)))!;
        string[] required = ["event_id", "event_type", "ts_utc", "manifest_fingerprint"];
        string[] optional =
        [
            "parameter_hash", "seed", "scenario_id", "platform_run_id", "scenario_run_id", "emitted_at_utc", "schema_version",
            "trace_id", "span_id", "parent_event_id", "producer", "payload",
        ];

        Assert.Equal(required.Order(StringComparer.Ordinal), schema["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(required.Concat(optional).Order(StringComparer.Ordinal), schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void Every_record_IG_would_publish_for_the_corpus_conforms_to_the_envelope_schema()
    {
        var records = AdmissionCorpus.All.Where(c => c.Level == AdmissionCorpus.DomainLevel)
            .Select(c => TestPolicy.Evaluator.Evaluate(c.BodyBytes(), CorpusActors.ByApiKey[c.ApiKey]))
            .OfType<Admissible>()
            .ToList();

        Assert.NotEmpty(records);
        foreach (var admissible in records)
        {
            using var record = JsonDocument.Parse(admissible.Record);
            Assert.Empty(SchemaContract.Errors(Schema, record.RootElement));
        }
    }

    [Theory]
    [InlineData(IgPolicy.ClassMapPath)]
    [InlineData(IgPolicy.SchemaPolicyPath)]
    [InlineData(IgPolicy.PartitioningProfilesPath)]
    public void Each_policy_file_conforms_to_its_meta_schema(string policyFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(SchemaContract.PathOf(policyFile)));
        Assert.Empty(SchemaContract.Errors(policyFile.Replace(".json", ".schema.json", StringComparison.Ordinal), document.RootElement));
    }
}
