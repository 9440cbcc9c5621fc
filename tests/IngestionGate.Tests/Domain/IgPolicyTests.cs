using System.Text.Json.Nodes;
using IngestionGate.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;

namespace IngestionGate.Tests.Domain;

public sealed class IgPolicyTests
{
    [Fact]
    public void The_shipped_policy_loads_and_routes_each_class_to_its_stream()
    {
        var policy = TestPolicy.Shipped;

        Assert.Equal("ig_policy", policy.PolicyRev.PolicyId);
        Assert.Equal("ig_policy.v0.1", policy.PolicyRev.Revision);
        Assert.Equal(("traffic", PlatformNames.Streams.Traffic), Route("transaction"));
        Assert.Equal(("context", PlatformNames.Streams.Context), Route("flow_anchor"));
        Assert.Equal(("rtdl_decision", PlatformNames.Streams.Decisions), Route("decision_response"));
        Assert.Null(policy.ClassOf("refund"));
        Assert.Null(policy.SchemaPolicyOf("decision_response"));
        Assert.Equal("payloads/transaction.v1.schema.json", policy.SchemaPolicyOf("transaction")!.PayloadSchemaRef);

        static (string, EventStream) Route(string eventType)
        {
            var eventClass = TestPolicy.Shipped.ClassOf(eventType)!;
            Assert.Contains("platform_run_id", eventClass.RequiredPins);
            return (eventClass.Name, eventClass.Profile.Stream);
        }
    }

    [Fact]
    public void X_policy_rev_must_carry_the_active_content_digest()
    {
        var policy = TestPolicy.Shipped;
        Assert.True(policy.PolicyRev.IsNamedBy(policy.PolicyRev.ContentDigest));
        Assert.False(policy.PolicyRev.IsNamedBy(policy.PolicyRev.ContentDigest.ToUpperInvariant()));
        Assert.False(policy.PolicyRev.IsNamedBy(policy.PolicyRev.Revision));
        Assert.False(policy.PolicyRev.IsNamedBy(new string('0', 64)));
    }

    [Fact]
    public void Loading_twice_works_since_each_load_has_its_own_schema_registry()
    {
        Assert.Equal(TestPolicy.Shipped.PolicyRev, IgPolicy.Load(TestPolicy.ShippedSchemas).PolicyRev);
    }

    public static TheoryData<string> Breakages => [.. Breaks.Keys];

    // Each breakage of the policy and the file + field its start-up error must name.
    private static readonly Dictionary<string, (Action<PolicyDirectory> Break, string[] Expected)> Breaks = new(StringComparer.Ordinal)
    {
        ["payload schema missing"] = (d => d.Edit(IgPolicy.SchemaPolicyPath, p => p["event_types"]!["transaction"]!["payload_schema_ref"] = "payloads/nope.v1.schema.json"),
            ["ig_policy/schema_policy.json: /event_types/transaction/payload_schema_ref: 'payloads/nope.v1.schema.json' does not exist"]),
        ["payload schema ref escapes the directory"] = (d => d.Edit(IgPolicy.SchemaPolicyPath, p => p["event_types"]!["transaction"]!["payload_schema_ref"] = "../secrets.v1.schema.json"),
            ["ig_policy/schema_policy.json: /event_types/transaction/payload_schema_ref:"]),
        ["payload schema is not a schema"] = (d => File.WriteAllText(d.FullPath("payloads/transaction.v1.schema.json"), """{"type": 5}"""),
            ["payloads/transaction.v1.schema.json (named by ig_policy/schema_policy.json: /event_types/transaction/payload_schema_ref): not a valid JSON Schema"]),
        ["event type of an undefined class"] = (d => d.Edit(IgPolicy.ClassMapPath, p => p["event_types"]!["transaction"] = "payments"),
            ["ig_policy/class_map.json: /event_types/transaction: class 'payments' is not defined under /classes"]),
        ["schema policy for an unmapped event type"] = (d => d.Edit(IgPolicy.SchemaPolicyPath, p => p["event_types"]!["refund"] = p["event_types"]!["transaction"]!.DeepClone()),
            ["ig_policy/schema_policy.json: /event_types/refund: event_type 'refund' is not mapped"]),
        ["schema policy class contradicts the class map"] = (d => d.Edit(IgPolicy.SchemaPolicyPath, p => p["event_types"]!["transaction"]!["class"] = "context"),
            ["ig_policy/schema_policy.json: /event_types/transaction/class: 'context' but ig_policy/class_map.json maps 'transaction' to 'traffic'"]),
        ["class without platform_run_id"] = (d => d.Edit(IgPolicy.ClassMapPath, p => p["classes"]!["traffic"]!["required_pins"] = new JsonArray("manifest_fingerprint")),
            ["ig_policy/class_map.json: /classes/traffic/required_pins: must include platform_run_id"]),
        ["unknown pin"] = (d => d.Edit(IgPolicy.ClassMapPath, p => p["classes"]!["traffic"]!["required_pins"]!.AsArray().Add("region")),
            ["ig_policy/class_map.json: /classes/traffic/required_pins/6:"]),
        ["class with an unknown profile"] = (d => d.Edit(IgPolicy.ClassMapPath, p => p["classes"]!["traffic"]!["partitioning_profile_id"] = "bulk_v0"),
            ["ig_policy/class_map.json: /classes/traffic/partitioning_profile_id: 'bulk_v0' is not a valid profile"]),
        ["profile on a stream that does not exist"] = (d => d.Edit(IgPolicy.PartitioningProfilesPath, p => p["profiles"]!["traffic_v0"]!["stream"] = "fp.bus.payments.v1"),
            ["ig_policy/partitioning_profiles.json: /profiles/traffic_v0/stream: 'fp.bus.payments.v1' is not a platform stream"]),
        ["malformed key path"] = (d => d.Edit(IgPolicy.PartitioningProfilesPath, p => p["profiles"]!["traffic_v0"]!["key_precedence"]![0] = "payload..flow_id"),
            ["ig_policy/partitioning_profiles.json: /profiles/traffic_v0/key_precedence/0:"]),
        ["key path naming no envelope field"] = (d => d.Edit(IgPolicy.PartitioningProfilesPath, p => p["profiles"]!["traffic_v0"]!["key_precedence"]![3] = "merchant"),
            ["ig_policy/partitioning_profiles.json: /profiles/traffic_v0/key_precedence/3: 'merchant' is neither payload.<path> nor an envelope field"]),
        ["hash other than sha256"] = (d => d.Edit(IgPolicy.PartitioningProfilesPath, p => p["profiles"]!["traffic_v0"]!["hash_algo"] = "md5"),
            ["ig_policy/partitioning_profiles.json: /profiles/traffic_v0/hash_algo:"]),
        ["default action other than quarantine"] = (d => d.Edit(IgPolicy.SchemaPolicyPath, p => p["default_action"] = "admit"),
            ["ig_policy/schema_policy.json: /default_action:"]),
        ["unknown member"] = (d => d.Edit(IgPolicy.ClassMapPath, p => p["owner"] = "someone"),
            ["ig_policy/class_map.json: /owner:"]),
        ["policy file missing"] = (d => File.Delete(d.FullPath(IgPolicy.PartitioningProfilesPath)),
            ["ig_policy/partitioning_profiles.json: not found"]),
        ["policy file not json"] = (d => File.WriteAllText(d.FullPath(IgPolicy.ClassMapPath), "{ classes: "),
            ["ig_policy/class_map.json: not valid JSON"]),
        ["envelope schema missing"] = (d => File.Delete(d.FullPath(IgPolicy.EnvelopeSchemaPath)),
            ["event_envelope.v1.schema.json: not found"]),
        ["two problems at once"] = (d =>
            {
                d.Edit(IgPolicy.ClassMapPath, p => p["event_types"]!["transaction"] = "payments");
                d.Edit(IgPolicy.PartitioningProfilesPath, p => p["profiles"]!["context_v0"]!["stream"] = "fp.bus.payments.v1");
            },
            ["ig_policy/class_map.json: /event_types/transaction:", "ig_policy/partitioning_profiles.json: /profiles/context_v0/stream:"]),
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_broken_policy_refuses_to_start_naming_the_file_and_field(string breakage)
    {
        using var directory = new PolicyDirectory();
        var (breakPolicy, expected) = Breaks[breakage];
        breakPolicy(directory);

        var exception = Assert.Throws<PlatformStartupException>(directory.Load);
        foreach (var fragment in expected)
        {
            Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        }
    }
}
