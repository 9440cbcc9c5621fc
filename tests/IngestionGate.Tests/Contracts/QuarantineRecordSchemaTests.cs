using System.Text.Json.Nodes;
using IngestionGate.Domain;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace IngestionGate.Tests.Contracts;

/// <summary>The C# quarantine record and schemas/ig/quarantine_record.v1.schema.json describe the same shape.</summary>
public sealed class QuarantineRecordSchemaTests
{
    private const string Schema = "ig/quarantine_record.v1.schema.json";

    [Theory]
    [MemberData(nameof(Samples.QuarantineKinds), MemberType = typeof(Samples))]
    public void Every_kind_of_quarantine_record_conforms_and_keeps_the_payload_out(string kind)
    {
        var (quarantine, record, _) = Samples.Quarantined(Samples.Body(kind));
        var json = Samples.Json(record);

        Assert.Empty(SchemaContract.Errors(Schema, json));
        Assert.True(json.TryGetProperty("envelope", out var envelope));
        Assert.False(envelope.ValueKind == System.Text.Json.JsonValueKind.Object && envelope.TryGetProperty("payload", out _));
        if (quarantine.Payload is { } payload)
        {
            var payloadRef = Assert.Single(record.EvidenceRefs);
            Assert.Equal(EvidenceRefType.QuarantinePayload, payloadRef.RefType);
            Assert.Equal(IgObjectKeys.QuarantinePayload(quarantine.PlatformRunId, quarantine.QuarantineId), payloadRef.RefId);
            Assert.Equal(Digests.Sha256Hex(payload), payloadRef.Sha256);
        }
        else
        {
            Assert.Empty(record.EvidenceRefs);
        }
    }

    [Fact]
    public void An_unreadable_item_is_recorded_with_a_null_envelope()
    {
        var (_, record, _) = Samples.Quarantined(Samples.Body("not an object"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Samples.Json(record).GetProperty("envelope").ValueKind);
    }

    [Fact]
    public void The_record_carries_caller_policy_and_provenance()
    {
        var (_, record, _) = Samples.Quarantined(Samples.Body("schema policy missing"));
        var json = Samples.Json(record);

        Assert.Equal("SYSTEM::corpus-traffic", json.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal(TestPolicy.Shipped.PolicyRev.ContentDigest, json.GetProperty("policy_rev").GetProperty("content_digest").GetString());
        Assert.Equal("dev", json.GetProperty("provenance").GetProperty("environment").GetString());
        Assert.Equal("2026-11-27T21:35:04.123456Z", json.GetProperty("received_at_utc").GetString());
    }

    public static TheoryData<string> Tamperings => ["payload inside the envelope", "no reason", "only a note", "unknown member", "second evidence"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void The_schema_rejects_what_the_contract_forbids(string tampering)
    {
        var (_, record, _) = Samples.Quarantined(Samples.Body("schema fail with actor claim"));
        var tampered = Samples.Tampered(record, r =>
        {
            switch (tampering)
            {
                case "payload inside the envelope": r["envelope"]!["payload"] = new JsonObject(); break;
                case "no reason": r["reason_codes"] = new JsonArray(); break;
                case "only a note": r["reason_codes"] = new JsonArray("ACTOR_CLAIM_IGNORED"); break;
                case "unknown member": r["payload"] = new JsonObject(); break;
                default: r["evidence_refs"]!.AsArray().Add(r["evidence_refs"]![0]!.DeepClone()); break;
            }
        });

        Assert.NotEmpty(SchemaContract.Errors(Schema, tampered));
    }

    [Fact]
    public void The_schema_lists_exactly_the_reason_codes_the_code_knows()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaContract.PathOf(Schema)))!;
        Assert.Equal(ReasonCode.All.Order(StringComparer.Ordinal), ReceiptSchemaTests.EnumOf(schema["properties"]!["reason_codes"]!["items"]!));
    }
}
