using System.Reflection;
using System.Text.Json;
using CaseLabels.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Contracts;

/// <summary>The C# records serialize to exactly the shapes of <c>schemas/labels/</c>, and the schemas reject what they must.</summary>
public sealed class LabelSchemaTests
{
    private const string AckSchema = "labels/label_ack.v0.schema.json";
    private const string RecordSchema = "labels/label_record.v0.schema.json";
    private const string AssertionSchema = "labels/label_assertion.v0.schema.json";

    private readonly LabelEvaluator evaluator = new(Policy);

    public static TheoryData<string> Callers() => ["analyst", "feed", "system"];

    [Theory]
    [MemberData(nameof(Callers))]
    public void Accepted_acks_and_records_conform(string callerName)
    {
        var caller = callerName switch { "analyst" => Analyst, "feed" => Feed, _ => SystemLabeler };
        var candidate = evaluator.Evaluate(Assertion(taxonomyVersion: "label_store.taxonomy.v0") with { ActorId = "SYSTEM::someone_else" }, caller);
        var record = evaluator.ToRecord(candidate, Observed.AddMinutes(3), 2);

        AssertConforms(RecordSchema, record);
        AssertConforms(AckSchema, evaluator.Accepted(candidate, record, replay: false));
        AssertConforms(AckSchema, evaluator.Accepted(candidate, record, replay: true));
    }

    [Theory]
    [InlineData(LabelReasonCode.UnknownLabelType)]
    [InlineData(LabelReasonCode.UnknownLabelValue)]
    [InlineData(LabelReasonCode.TaxonomyVersionMismatch)]
    [InlineData(LabelReasonCode.ObservedBeforeEffective)]
    [InlineData(LabelReasonCode.PayloadHashMismatch)]
    public void Rejected_acks_conform_without_a_recorded_time(string reason)
    {
        var ack = evaluator.Rejected(evaluator.Evaluate(Assertion("risk_score", "HIGH"), Feed), reason);
        var json = JsonSerializer.SerializeToElement(ack, PlatformJson.Options);

        AssertConforms(AckSchema, ack);
        Assert.False(json.TryGetProperty("recorded_at_utc", out _));
    }

    [Fact]
    public void The_ack_schema_lists_exactly_the_reason_codes_and_advisories_of_the_code()
    {
        var schema = JsonDocument.Parse(File.ReadAllText(SchemaContract.PathOf(AckSchema))).RootElement.GetProperty("properties");
        var reasons = schema.GetProperty("reason_code").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal);
        var advisories = schema.GetProperty("advisory_codes").GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!);
        var code = typeof(LabelReasonCode).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();

        Assert.Equal(code.Where(c => c != LabelReasonCode.ActorClaimIgnored).Order(StringComparer.Ordinal), reasons);
        Assert.Equal([LabelReasonCode.ActorClaimIgnored], advisories);
    }

    [Fact]
    public void A_serialized_assertion_meets_the_assertion_schema_and_reads_back_equal()
    {
        var assertion = Assertion(taxonomyVersion: "label_store.taxonomy.v0");
        var json = JsonSerializer.SerializeToElement(assertion, PlatformJson.Options);

        AssertConforms(AssertionSchema, assertion);
        Assert.True(LabelRequests.TryRead(json, Policy.AssertionSchema, out var read, out var error), error);
        Assert.Equal(assertion, read);
    }

    [Fact]
    public void The_record_schema_refuses_a_record_the_store_would_never_hold()
    {
        var record = evaluator.ToRecord(evaluator.Evaluate(Assertion(), Feed), Observed, 0);

        Assert.NotEmpty(Errors(RecordSchema, record with { WriterBoundaryVersion = "v9" }));
        Assert.NotEmpty(Errors(RecordSchema, record with { PayloadHash = "abc" }));
        Assert.NotEmpty(Errors(RecordSchema, record with { SubjectSeq = -1 }));
        Assert.NotEmpty(Errors(RecordSchema, record with { ActorId = "mallory" }));
    }

    [Fact]
    public void The_taxonomy_file_meets_its_meta_schema()
    {
        using var taxonomy = JsonDocument.Parse(File.ReadAllText(SchemaContract.PathOf(LabelPolicy.TaxonomyPath)));

        Assert.Empty(SchemaContract.Errors(LabelPolicy.TaxonomySchemaPath, taxonomy.RootElement));
    }

    private static IReadOnlyList<string> Errors<T>(string schema, T value) =>
        SchemaContract.Errors(schema, JsonSerializer.SerializeToElement(value, PlatformJson.Options));

    private static void AssertConforms<T>(string schema, T value)
    {
        var errors = Errors(schema, value);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
