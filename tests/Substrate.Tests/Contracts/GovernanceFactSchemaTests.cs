using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Testing;

namespace Platform.Substrate.Tests.Contracts;

/// <summary>The C# governance fact and schemas/governance_fact.v0.schema.json describe the same shape.</summary>
public sealed class GovernanceFactSchemaTests
{
    private const string Schema = "governance_fact.v0.schema.json";

    private static readonly PlatformRuntime Runtime = PlatformRuntime.FromEnvironment(
        "ig", name => name switch { "PLATFORM_ENV" => "dev", "SERVICE_RELEASE_ID" => "sha256:" + new string('a', 64), _ => null });

    private static GovernanceFact Fact(GovernancePins pins) => GovernanceFact.Create(
        GovernanceFactType.PolicyRevChanged,
        GovernanceActor.ForService(Runtime),
        pins,
        Runtime.ProvenanceFor(new string('b', 64)),
        dedupeDetail: "new-digest",
        details: new { old_digest = new string('c', 64), new_digest = new string('d', 64), segment_seq = 1 },
        tsUtc: new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(1234567));

    private static JsonElement Serialize(GovernanceFact fact) => JsonSerializer.SerializeToElement(fact, PlatformJson.Options);

    [Fact]
    public void A_fact_with_only_the_required_pins_conforms()
    {
        Assert.Empty(SchemaContract.Errors(Schema, Serialize(Fact(new GovernancePins("platform_20261127T213503Z")))));
    }

    [Fact]
    public void A_fact_with_every_pin_conforms()
    {
        var pins = new GovernancePins("platform_20261127T213503Z", new string('1', 32), new string('2', 64), new string('3', 64), "scenario-a", 42);
        Assert.Empty(SchemaContract.Errors(Schema, Serialize(Fact(pins))));
    }

    [Theory]
    [InlineData("unexpected_field")]
    [InlineData("missing_run_id")]
    [InlineData("bad_fact_type")]
    [InlineData("bad_timestamp")]
    public void The_schema_rejects_what_the_contract_forbids(string tamper)
    {
        var node = JsonNode.Parse(Serialize(Fact(new GovernancePins("platform_20261127T213503Z"))).GetRawText())!.AsObject();
        switch (tamper)
        {
            case "unexpected_field": node["payload"] = "{}"; break;
            case "missing_run_id": node["pins"]!.AsObject().Remove("platform_run_id"); break;
            case "bad_fact_type": node["fact_type"] = "SOMETHING_ELSE"; break;
            default: node["ts_utc"] = "2026-11-27T21:35:03Z"; break;
        }

        Assert.NotEmpty(SchemaContract.Errors(Schema, JsonSerializer.SerializeToElement(node)));
    }

    [Fact]
    public void The_schema_lists_exactly_the_fact_types_the_code_knows()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaContract.PathOf(Schema)))!;
        var inSchema = schema["properties"]!["fact_type"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()).Order();
        var inCode = Enum.GetValues<GovernanceFactType>().Select(GovernanceFact.WireName).Order();
        Assert.Equal(inCode, inSchema);
    }
}
