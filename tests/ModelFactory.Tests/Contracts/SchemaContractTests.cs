using System.Text.Json;
using Platform.Testing;

namespace ModelFactory.Tests.Contracts;

/// <summary>
/// Platform.Testing's <see cref="SchemaContract"/> itself, on a schema with a <c>not</c> keyword (the quarantine
/// record's envelope must not carry its payload): a failing <c>not</c> is reported at its location, and a passing
/// one reports nothing although its subschema failed.
/// </summary>
public sealed class SchemaContractTests
{
    private const string Schema = "ig/quarantine_record.v1.schema.json";

    [Fact]
    public void A_failing_not_names_the_location_and_the_schema_it_must_not_match()
    {
        var errors = SchemaContract.Errors(Schema, Parse("""{ "envelope": { "payload": {} } }"""));

        var error = Assert.Single(errors, e => e.StartsWith("/envelope:", StringComparison.Ordinal));
        Assert.Contains("/properties/envelope/not", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passing_not_reports_nothing_for_its_failed_subschema()
    {
        var errors = SchemaContract.Errors(Schema, Parse("""{ "envelope": {} }"""));

        // The record is invalid (required members are missing), but not because of its envelope.
        Assert.NotEmpty(errors);
        Assert.DoesNotContain(errors, e => e.StartsWith("/envelope", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_schema_under_schemas_is_loaded_so_cross_file_refs_resolve_in_any_order()
    {
        foreach (var file in Directory.EnumerateFiles(SchemaContract.SchemasDirectory, "*.schema.json", SearchOption.AllDirectories))
        {
            Assert.NotNull(SchemaContract.Load(Path.GetRelativePath(SchemaContract.SchemasDirectory, file).Replace(Path.DirectorySeparatorChar, '/')));
        }

        // train_request refers to definitions in eval_report: a wrong platform_run_id is caught through the $ref.
        var errors = SchemaContract.Errors("mf/train_request.v0.schema.json", Parse("""{ "platform_run_id": "latest" }"""));
        Assert.Contains(errors, e => e.StartsWith("/platform_run_id:", StringComparison.Ordinal));
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
