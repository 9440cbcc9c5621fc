using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using IngestionGate.Tests.Corpus;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace IngestionGate.Tests.Contracts;

/// <summary>The C# receipt and schemas/ig/receipt.v1.schema.json describe the same shape.</summary>
public sealed class ReceiptSchemaTests
{
    private const string Schema = "ig/receipt.v1.schema.json";

    [Fact]
    public void An_admit_receipt_conforms_and_carries_the_commit()
    {
        var row = Samples.AdmittedRow();
        var receipt = Receipt.ForAdmitted(row, TestPolicy.Provenance);

        Assert.Empty(SchemaContract.Errors(Schema, Samples.Json(receipt)));
        Assert.Equal(row.ReceiptId, receipt.ReceiptId);
        Assert.Equal((row.EbRef, row.AdmittedAtUtc, row.PayloadHash), (receipt.EbRef, receipt.AdmittedAtUtc, receipt.PayloadHash));
        Assert.Equal(TestPolicy.Shipped.PolicyRev, receipt.PolicyRev);
        Assert.Equal(TestPolicy.Provenance.RunConfigDigest, receipt.RunConfigDigest);
        Assert.Empty(receipt.EvidenceRefs);
    }

    [Fact]
    public void A_duplicate_receipt_conforms_and_points_at_the_original_admission()
    {
        var receipt = Samples.Duplicate(CorpusActors.ByApiKey["traffic_context"]);
        var original = Samples.AdmittedRow();

        Assert.Empty(SchemaContract.Errors(Schema, Samples.Json(receipt)));
        Assert.Equal(ReceiptDecision.Duplicate, receipt.Decision);
        Assert.Equal(IgIds.ReceiptId(ReceiptDecision.Duplicate, original.DedupeKey), receipt.ReceiptId);
        Assert.Equal(original.EbRef, receipt.EbRef);
        Assert.Equal(original.AdmittedAtUtc, receipt.AdmittedAtUtc);
        Assert.Equal("SYSTEM::corpus-producer", receipt.Actor.ActorId);
        Assert.Equal([ReasonCode.ActorClaimIgnored], receipt.ReasonCodes);
    }

    [Fact]
    public void A_human_caller_authenticated_by_jwt_conforms()
    {
        var human = new ActorContext("HUMAN::alice", SourceType.Human, AuthMode.Jwt, new HashSet<string>(StringComparer.Ordinal) { PlatformRoles.TrafficProducer });
        var receipt = Samples.Duplicate(human);
        Assert.Empty(SchemaContract.Errors(Schema, Samples.Json(receipt)));
        Assert.Equal("jwt", Samples.Json(receipt).GetProperty("actor").GetProperty("auth_mode").GetString());
    }

    [Fact]
    public void Receipts_refuse_states_that_are_not_a_commit_or_not_the_same_event()
    {
        var inFlight = AdmissionRecord.InFlight(Domain.AdmissionRecordTests.Admissible(), TestPolicy.Shipped.PolicyRev, Samples.At);
        Assert.Throws<InvalidOperationException>(() => Receipt.ForAdmitted(inFlight, TestPolicy.Provenance));

        var changed = Envelopes.Transaction();
        changed["payload"]!["amount"] = 1;
        var other = Assert.IsType<Admissible>(TestPolicy.Evaluator.Evaluate(changed.Bytes(), Envelopes.TrafficProducer));
        Assert.Throws<ArgumentException>(() => Receipt.ForDuplicate(Samples.AdmittedRow(), other, TestPolicy.Shipped.PolicyRev, TestPolicy.Provenance));
    }

    [Theory]
    [MemberData(nameof(Samples.QuarantineKinds), MemberType = typeof(Samples))]
    public void Every_kind_of_quarantine_receipt_conforms_and_its_evidence_verifies(string kind)
    {
        var (quarantine, record, receipt) = Samples.Quarantined(Samples.Body(kind));

        Assert.Empty(SchemaContract.Errors(Schema, Samples.Json(receipt)));
        Assert.Equal(quarantine.ReasonCodes, receipt.ReasonCodes);
        var recordRef = receipt.EvidenceRefs[0];
        Assert.Equal(EvidenceRefType.QuarantineRecord, recordRef.RefType);
        Assert.Equal(IgObjectKeys.QuarantineRecord(quarantine.PlatformRunId, quarantine.QuarantineId), recordRef.RefId);
        Assert.Equal(Digests.Sha256Hex(record.ToUtf8Json()), recordRef.Sha256);
        Assert.Equal(record.EvidenceRefs, receipt.EvidenceRefs.Skip(1));
        Assert.Equal(IgIds.QuarantineReceiptId(quarantine.QuarantineId), receipt.ReceiptId);
    }

    [Fact]
    public void A_payload_hash_mismatch_receipt_conforms_and_names_the_rejected_hash()
    {
        var admissible = Domain.AdmissionRecordTests.Admissible();
        var (_, _, receipt) = Samples.Records(admissible.ToQuarantine(ReasonCode.PayloadHashMismatch));

        Assert.Empty(SchemaContract.Errors(Schema, Samples.Json(receipt)));
        Assert.Equal((admissible.DedupeKey, admissible.PayloadHash), (receipt.DedupeKey, receipt.PayloadHash));
        Assert.Null(receipt.EbRef);
    }

    public static TheoryData<string> Tamperings => [.. Tampers.Keys];

    private static readonly Dictionary<string, (Func<Receipt> Receipt, Action<JsonObject> Tamper)> Tampers = new(StringComparer.Ordinal)
    {
        ["admit without eb_ref"] = (Samples.Admit, r => r.Remove("eb_ref")),
        ["admit without payload_hash"] = (Samples.Admit, r => r.Remove("payload_hash")),
        ["admit without admitted_at_utc"] = (Samples.Admit, r => r.Remove("admitted_at_utc")),
        ["admit with a quarantine reason"] = (Samples.Admit, r => r["reason_codes"] = new JsonArray("SCHEMA_FAIL")),
        ["duplicate without eb_ref"] = (() => Samples.Duplicate(), r => r.Remove("eb_ref")),
        ["quarantine without evidence"] = (Quarantined, r => r["evidence_refs"] = new JsonArray()),
        ["quarantine with only a note"] = (Quarantined, r => r["reason_codes"] = new JsonArray("ACTOR_CLAIM_IGNORED")),
        ["quarantine with an eb_ref"] = (Quarantined, r => r["eb_ref"] = JsonNode.Parse(JsonSerializer.Serialize(Samples.Admit().EbRef, PlatformJson.Options))),
        ["unknown reason code"] = (Quarantined, r => r["reason_codes"] = new JsonArray("LOOKS_FISHY")),
        ["unknown member"] = (Samples.Admit, r => r["payload"] = new JsonObject()),
        ["timestamp without microseconds"] = (Samples.Admit, r => r["admitted_at_utc"] = "2026-11-27T21:35:04Z"),
        ["actor id without prefix"] = (Samples.Admit, r => r["actor"]!["actor_id"] = "corpus-traffic"),
        ["unknown stream"] = (Samples.Admit, r => r["eb_ref"]!["stream"] = "fp.bus.payments.v1"),
        ["foreign policy id"] = (Samples.Admit, r => r["policy_rev"]!["policy_id"] = "other_policy"),
    };

    private static Receipt Quarantined() => Samples.Quarantined(Samples.Body("schema fail with actor claim")).Receipt;

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void The_schema_rejects_what_the_contract_forbids(string tampering)
    {
        var (receipt, tamper) = Tampers[tampering];
        Assert.NotEmpty(SchemaContract.Errors(Schema, Samples.Tampered(receipt(), tamper)));
    }

    [Fact]
    public void The_schema_lists_exactly_the_codes_streams_and_kinds_the_code_knows()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaContract.PathOf(Schema)))!["$defs"]!;
        Assert.Equal(ReasonCode.All.Order(StringComparer.Ordinal), EnumOf(schema["reason_code"]!));
        Assert.Equal(PlatformNames.Streams.All.Select(s => s.StreamName).Order(StringComparer.Ordinal), EnumOf(schema["eb_ref"]!["properties"]!["stream"]!));
        Assert.Equal(WireNames<OffsetKind>(), EnumOf(schema["eb_ref"]!["properties"]!["offset_kind"]!));
        Assert.Equal(WireNames<EvidenceRefType>(), EnumOf(schema["evidence_ref"]!["properties"]!["ref_type"]!));
        Assert.Equal(WireNames<ReceiptDecision>(), EnumOf(JsonNode.Parse(File.ReadAllText(SchemaContract.PathOf(Schema)))!["properties"]!["decision"]!));
    }

    internal static IOrderedEnumerable<string> EnumOf(JsonNode node) =>
        node["enum"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal);

    internal static IOrderedEnumerable<string> WireNames<T>()
        where T : struct, Enum =>
        Enum.GetValues<T>().Select(v => JsonSerializer.Serialize(v, PlatformJson.Options).Trim('"')).Order(StringComparer.Ordinal);
}
