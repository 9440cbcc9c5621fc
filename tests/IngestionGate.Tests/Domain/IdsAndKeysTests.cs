using System.Security.Cryptography;
using System.Text;
using IngestionGate.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Tests.Domain;

public sealed class IdsAndKeysTests
{
    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Dedupe_key_is_the_sha256_of_the_joined_string()
    {
        Assert.Equal(Sha256Hex("platform_20261127T213503Z:traffic:evt-1"), EventIds.DedupeKey("platform_20261127T213503Z", "traffic", "evt-1"));
    }

    [Fact]
    public void Receipt_id_is_hex32_of_H_of_decision_colon_dedupe_key()
    {
        var dedupeKey = EventIds.DedupeKey("platform_20261127T213503Z", "traffic", "evt-1");

        // H(x) hashes the canonical JSON of x: here a JSON string, quotes included.
        Assert.Equal(Sha256Hex($"\"ADMIT:{dedupeKey}\"")[..32], IgIds.ReceiptId(ReceiptDecision.Admit, dedupeKey));
        Assert.Equal(Sha256Hex($"\"DUPLICATE:{dedupeKey}\"")[..32], IgIds.ReceiptId(ReceiptDecision.Duplicate, dedupeKey));
        Assert.Throws<ArgumentOutOfRangeException>(() => IgIds.ReceiptId(ReceiptDecision.Quarantine, dedupeKey));
    }

    [Fact]
    public void Quarantine_receipt_id_is_hex32_of_H_of_QUARANTINE_colon_quarantine_id()
    {
        var quarantineId = IgIds.QuarantineId("SYSTEM::a", new string('1', 64), [ReasonCode.SchemaFail]);

        Assert.Equal(Sha256Hex($"\"QUARANTINE:{quarantineId}\"")[..32], IgIds.QuarantineReceiptId(quarantineId));
    }

    [Fact]
    public void The_same_event_id_in_two_runs_or_two_classes_gets_two_receipt_ids()
    {
        var ids = new[]
        {
            EventIds.DedupeKey("platform_20261127T213503Z", "traffic", "evt-1"),
            EventIds.DedupeKey("platform_20261127T213504Z", "traffic", "evt-1"),
            EventIds.DedupeKey("platform_20261127T213503Z", "context", "evt-1"),
        }.SelectMany(key => new[] { IgIds.ReceiptId(ReceiptDecision.Admit, key), IgIds.ReceiptId(ReceiptDecision.Duplicate, key) });

        Assert.Equal(6, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Publish_id_is_hex32_of_H_of_dedupe_key_colon_attempt()
    {
        var dedupeKey = new string('d', 64);
        Assert.Equal(Sha256Hex($"\"{dedupeKey}:1\"")[..32], EventIds.PublishId(dedupeKey, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EventIds.PublishId(dedupeKey, 0));
    }

    [Fact]
    public void Quarantine_id_depends_on_caller_item_and_reasons()
    {
        var id = IgIds.QuarantineId("SYSTEM::a", new string('1', 64), [ReasonCode.SchemaFail]);
        Assert.Equal(Sha256Hex($$"""{"actor_id":"SYSTEM::a","item_sha256":"{{new string('1', 64)}}","reason_codes":["SCHEMA_FAIL"]}""")[..32], id);
        Assert.NotEqual(id, IgIds.QuarantineId("SYSTEM::b", new string('1', 64), [ReasonCode.SchemaFail]));
        Assert.NotEqual(id, IgIds.QuarantineId("SYSTEM::a", new string('1', 64), [ReasonCode.SchemaFail, ReasonCode.ActorClaimIgnored]));
    }

    [Fact]
    public void Object_keys_file_evidence_per_run_and_quarantine_payloads_under_their_own_prefix()
    {
        var id = new string('a', 32);
        Assert.Equal($"platform_20261127T213503Z/ig/receipts/{id}.json", IgObjectKeys.Receipt("platform_20261127T213503Z", id));
        Assert.Equal($"platform_20261127T213503Z/ig/quarantine/{id}.json", IgObjectKeys.QuarantineRecord("platform_20261127T213503Z", id));
        Assert.Equal($"platform_20261127T213503Z/ig/quarantine_payloads/{id}.json", IgObjectKeys.QuarantinePayload("platform_20261127T213503Z", id));
        Assert.Equal($"no_platform_run/ig/receipts/{id}.json", IgObjectKeys.Receipt(null, id));
        Assert.Equal($"no_platform_run/ig/quarantine/{id}.json", IgObjectKeys.QuarantineRecord("../etc", id));
    }

    [Theory]
    [InlineData("../../secrets")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("aaaa")]
    public void Object_keys_accept_only_hex32_ids(string id)
    {
        Assert.Throws<ArgumentException>(() => IgObjectKeys.Receipt("platform_20261127T213503Z", id));
    }

    [Fact]
    public void Eb_ref_offsets_by_publish_id_unless_the_bus_reports_a_sequence_number()
    {
        var at = new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(1234567);
        var publishId = new string('b', 32);

        var byPublishId = EbRef.ForPublish(new EventBusPublishResult("fp.bus.traffic.v1", "pk", null, at), publishId);
        Assert.Equal(new EbRef("fp.bus.traffic.v1", "pk", publishId, OffsetKind.IgPublishId, at.AddTicks(-7)), byPublishId);

        var bySequence = EbRef.ForPublish(new EventBusPublishResult("fp.bus.traffic.v1", "pk", "49590338271490256608559692538361571095921575989136588898", at), publishId);
        Assert.Equal(OffsetKind.KinesisSequence, bySequence.OffsetKind);
        Assert.Equal("49590338271490256608559692538361571095921575989136588898", bySequence.Offset);
    }
}
