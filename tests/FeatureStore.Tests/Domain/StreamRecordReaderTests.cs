using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Domain;

/// <summary>The pure half of the archive writer, and the archive and dead-letter contracts (schemas/ofs/).</summary>
public sealed class StreamRecordReaderTests
{
    private const string ArchiveSchema = "ofs/archive_record.v1.schema.json";
    private const string DeadLetterSchema = "ofs/dead_letter.v1.schema.json";
    private static readonly StreamRecordReader Reader = StreamRecordReader.Load(SchemaContract.SchemasDirectory);
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 1, 2, 3, TimeSpan.Zero);
    private static readonly DateTimeOffset Ts = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    static StreamRecordReaderTests() => SchemaContract.Load("event_envelope.v1.schema.json");

    [Fact]
    public void An_admissible_transaction_becomes_a_record_that_matches_the_archive_contract()
    {
        var run = FreshRunId();
        var envelope = Transaction(run, "evt-1", "flow-1", Ts.AddTicks(5));
        envelope["ts_utc"] = "2026-11-20T12:00:00.5Z";

        var outcome = Reader.Read(PlatformNames.Streams.Traffic, Bytes(envelope), Now);

        Assert.True(outcome.Archivable, outcome.Detail);
        Assert.Equal($"20261120T120000500000Z_{PublishId(run, "traffic", "evt-1")}", outcome.RecordName);
        Assert.Equal(PlatformNames.Streams.Traffic, outcome.Stream);
        Assert.Equal($"{run}/archive/traffic/spool/{outcome.RecordName}.json", outcome.Key);
        var json = JsonSerializer.SerializeToElement(outcome.Record, PlatformJson.Options);
        Assert.Empty(SchemaContract.Errors(ArchiveSchema, json));
        Assert.Equal("2026-11-28T01:02:03.000000Z", json.GetProperty("archived_at_utc").GetString());
        Assert.Equal(PartitionKey("flow-1"), outcome.Record!.EbRef.Partition);
    }

    [Fact]
    public void The_partition_key_follows_the_profile_precedence_when_the_first_path_is_empty()
    {
        var run = FreshRunId();
        var envelope = FlowAnchor(run, "anchor-1", "flow-1", Ts);
        envelope["payload"]!["flow_id"] = "";

        var outcome = Reader.Read(PlatformNames.Streams.Context, Bytes(envelope), Now);

        Assert.True(outcome.Archivable, outcome.Detail);
        Assert.Equal(Platform.Substrate.Pinning.Digests.Of(JsonSerializer.SerializeToElement("acct-flow-1")), outcome.Record!.EbRef.Partition);
        Assert.StartsWith($"{run}/archive/context/spool/", outcome.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_that_cannot_be_archived_get_a_reason_and_the_run_when_they_name_one()
    {
        var run = FreshRunId();
        var noFingerprint = Transaction(run, "evt-2", "flow-2", Ts);
        noFingerprint.Remove("manifest_fingerprint");
        var noRun = Transaction(run, "evt-3", "flow-3", Ts);
        noRun.Remove("platform_run_id");
        var noPayload = Transaction(run, "evt-4", "flow-4", Ts);
        noPayload.Remove("payload");
        var cases = new (EventStream Stream, byte[] Bytes, string Reason, string? Run)[]
        {
            (PlatformNames.Streams.Traffic, Encoding.UTF8.GetBytes("{\"event_id\":"), DeadLetterReason.RecordNotJson, null),
            (PlatformNames.Streams.Traffic, Encoding.UTF8.GetBytes("[1,2]"), DeadLetterReason.EnvelopeInvalid, null),
            (PlatformNames.Streams.Traffic, Bytes(noFingerprint), DeadLetterReason.EnvelopeInvalid, run),
            (PlatformNames.Streams.Traffic, Bytes(noRun), DeadLetterReason.RunIdMissing, null),
            (PlatformNames.Streams.Traffic, Bytes(noPayload), DeadLetterReason.EnvelopeInvalid, run),
            (PlatformNames.Streams.Context, Bytes(Transaction(run, "evt-5", "flow-5", Ts)), DeadLetterReason.WrongStream, run),
            (PlatformNames.Streams.Traffic, Bytes(Retyped(Transaction(run, "evt-6", "flow-6", Ts), "card_swipe")), DeadLetterReason.WrongStream, run),
        };

        foreach (var (stream, bytes, reason, expectedRun) in cases)
        {
            var outcome = Reader.Read(stream, bytes, Now);
            Assert.False(outcome.Archivable, Encoding.UTF8.GetString(bytes));
            Assert.Equal(reason, outcome.ReasonCode);
            Assert.Equal(expectedRun, outcome.PlatformRunId);
            Assert.False(string.IsNullOrEmpty(outcome.Detail));
        }
    }

    [Fact]
    public void A_dead_letter_matches_its_contract_and_the_contracts_refuse_foreign_members()
    {
        var bytes = Encoding.UTF8.GetBytes("not json");
        var sha = Platform.Substrate.Pinning.Digests.Sha256Hex(bytes);
        var letter = new DeadLetter(
            DeadLetter.Version, DeadLetter.IdFor("eb-traffic-in-ofs", sha), "fp.bus.traffic.v1", "eb-traffic-in-ofs", null,
            DeadLetterReason.RecordNotJson, "'n' is an invalid start of a value.", sha, Convert.ToBase64String(bytes), Now);
        var json = JsonSerializer.SerializeToNode(letter, PlatformJson.Options)!.AsObject();
        Assert.Empty(SchemaContract.Errors(DeadLetterSchema, JsonSerializer.SerializeToElement(json)));
        Assert.False(json.ContainsKey("platform_run_id"));

        json["extra"] = 1;
        Assert.NotEmpty(SchemaContract.Errors(DeadLetterSchema, JsonSerializer.SerializeToElement(json)));

        var record = JsonSerializer.SerializeToNode(
            Reader.Read(PlatformNames.Streams.Traffic, Bytes(Transaction(FreshRunId(), "evt-7", "flow-7", Ts)), Now).Record, PlatformJson.Options)!.AsObject();
        record["eb_ref"]!.AsObject().Remove("offset");
        Assert.NotEmpty(SchemaContract.Errors(ArchiveSchema, JsonSerializer.SerializeToElement(record)));
    }

    private static JsonObject Retyped(JsonObject envelope, string eventType)
    {
        envelope["event_type"] = eventType;
        return envelope;
    }
}
