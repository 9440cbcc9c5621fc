using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Service;

/// <summary>
/// The archive writer end to end: records published on the bus reach OFS through its input bindings and end up in
/// the object store once, intact, durable before the 2xx, or parked as dead letters; never dropped.
/// </summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class ArchiveWriterTests(OfsServiceFixture fixture)
{
    private const string ArchiveSchema = "ofs/archive_record.v1.schema.json";
    private const string DeadLetterSchema = "ofs/dead_letter.v1.schema.json";
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    static ArchiveWriterTests() => SchemaContract.Load("event_envelope.v1.schema.json");

    [Fact]
    public async Task A_record_delivered_twice_is_archived_once_with_its_envelope_origin_and_payload_hash_intact()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var envelope = Transaction(run, Unique("evt"), flow, T0.AddTicks(1234560), amount: 19.99);
        var bytes = Bytes(envelope);
        var eventId = envelope["event_id"]!.GetValue<string>();
        var name = $"{KeyTime(T0.AddTicks(1234560))}_{PublishId(run, "traffic", eventId)}";

        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), bytes);
        var first = (await CompactedAsync(run, "traffic", 1)).Records[name];
        // The same record again, then a later one on the same partition key: once that one is archived, the
        // redelivery (ahead of it in partition order) has been handled too.
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), bytes);
        var later = Transaction(run, Unique("evt"), flow, T0.AddMinutes(1));
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(later));
        var archive = await CompactedAsync(run, "traffic", 2);

        Assert.Equal(2, archive.Records.Count);
        Assert.All(archive.Copies.Values, copies => Assert.Equal(1, copies));
        Assert.Empty(await KeysAsync($"{run}/archive/dead_letters/"));
        Assert.Empty(await KeysAsync($"{run}/archive/context/"));
        var stored = archive.Records[name];
        Assert.Equal(first.GetRawText(), stored.GetRawText());

        Assert.Empty(SchemaContract.Errors(ArchiveSchema, stored));
        Assert.Equal(bytes, CanonicalJson.Serialize(stored.GetProperty("envelope")));
        var ebRef = stored.GetProperty("eb_ref");
        Assert.Equal("fp.bus.traffic.v1", ebRef.GetProperty("stream").GetString());
        Assert.Equal(PartitionKey(flow), ebRef.GetProperty("partition").GetString());
        Assert.Equal(PublishId(run, "traffic", eventId), ebRef.GetProperty("offset").GetString());
        Assert.Equal("ig_publish_id", ebRef.GetProperty("offset_kind").GetString());
        var hashed = JsonSerializer.SerializeToElement(new { event_type = "transaction", schema_version = "v1", payload = envelope["payload"] });
        Assert.Equal(Digests.Of(hashed), stored.GetProperty("payload_hash").GetProperty("hex").GetString());
    }

    [Fact]
    public async Task A_runs_archive_holds_each_stream_in_event_time_order_within_its_segments()
    {
        var run = FreshRunId();
        var offsets = new[] { 50, 10, 30, 20, 40 };
        foreach (var minutes in offsets)
        {
            var flow = Unique("flow");
            await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(Transaction(run, Unique("evt"), flow, T0.AddMinutes(minutes))));
        }

        var anchorFlow = Unique("flow");
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Context, PartitionKey(anchorFlow), Bytes(FlowAnchor(run, Unique("anchor"), anchorFlow, T0)));
        var traffic = await CompactedAsync(run, "traffic", offsets.Length);
        var context = await CompactedAsync(run, "context", 1);

        Assert.Equal(offsets.Length, traffic.Records.Count);
        foreach (var segment in traffic.Segments)
        {
            // Within a segment the records are in event time (the reader checked their names are in order).
            var times = segment.Names.Select(n => EventTime(traffic.Records[n])).ToList();
            Assert.Equal(times.Order(), times);
            Assert.All(segment.Names, n => Assert.Empty(SchemaContract.Errors(ArchiveSchema, traffic.Records[n])));
        }

        Assert.Equal(offsets.Order().Select(m => T0.AddMinutes(m)), traffic.InNameOrder.Select(EventTime));
        var anchor = context.Records.Values.Single();
        Assert.Equal("fp.bus.context.v1", anchor.GetProperty("eb_ref").GetProperty("stream").GetString());
        Assert.Equal(PartitionKey(anchorFlow), anchor.GetProperty("eb_ref").GetProperty("partition").GetString());
    }

    [Fact]
    public async Task Poison_records_are_parked_as_dead_letters_with_their_bytes_and_reason()
    {
        var run = FreshRunId();
        var notJson = Encoding.UTF8.GetBytes($"not json {{ {Guid.NewGuid():N}");
        var invalid = Transaction(run, Unique("evt"), Unique("flow"), T0);
        invalid.Remove("manifest_fingerprint");
        var wrongStream = Transaction(run, Unique("evt"), Unique("flow"), T0);

        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, Unique("pk"), notJson);
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, Unique("pk"), Bytes(invalid));
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Context, Unique("pk"), Bytes(wrongStream));

        var expectations = new[]
        {
            (Bytes: notJson, Key: DeadLetterKey(ArchiveKeys.NoRunPrefix, "traffic", notJson), Reason: DeadLetterReason.RecordNotJson),
            (Bytes: Bytes(invalid), Key: DeadLetterKey(run, "traffic", Bytes(invalid)), Reason: DeadLetterReason.EnvelopeInvalid),
            (Bytes: Bytes(wrongStream), Key: DeadLetterKey(run, "context", Bytes(wrongStream)), Reason: DeadLetterReason.WrongStream),
        };
        foreach (var (recordBytes, key, reason) in expectations)
        {
            var letter = await WaitForObjectAsync(key);
            Assert.Empty(SchemaContract.Errors(DeadLetterSchema, letter));
            Assert.Equal(reason, letter.GetProperty("reason_code").GetString());
            Assert.Equal(recordBytes, Convert.FromBase64String(letter.GetProperty("record_base64").GetString()!));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(recordBytes)), letter.GetProperty("record_sha256").GetString());
        }

        // Nothing of the bad records reached the archive itself.
        Assert.Empty(await KeysAsync($"{run}/archive/traffic/"));
        Assert.Empty(await KeysAsync($"{run}/archive/context/"));
    }

    [Fact]
    public async Task A_failed_object_store_write_is_answered_non_2xx_and_the_redelivery_archives_it()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var envelope = Transaction(run, Unique("evt"), flow, T0);
        var before = fixture.Objects.Injected;
        fixture.Objects.FailNextWrites(run, 1);
        try
        {
            await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(envelope));
            await Eventually.WaitAsync("the record archived", async () => (await ArchiveAsync(run, "traffic")).Records.Count == 1);
        }
        finally
        {
            fixture.Objects.Restore(run);
        }

        // The first attempt (its spool write) failed (500), the binding's inbound retry delivered it again, and it
        // was archived, then compacted.
        Assert.Equal(before + 1, fixture.Objects.Injected);
        var archive = await CompactedAsync(run, "traffic", 1);
        var record = archive.Records.Values.Single();
        Assert.Equal(1, archive.Copies.Values.Single());
        Assert.Equal(Bytes(envelope), CanonicalJson.Serialize(record.GetProperty("envelope")));
        Assert.Empty(await KeysAsync($"{run}/archive/dead_letters/"));
    }

    [Fact]
    public async Task While_the_object_store_refuses_a_record_it_is_parked_in_the_fallback_state_store()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var bytes = Bytes(Transaction(run, Unique("evt"), flow, T0));
        var fallbackKey = "dead_letters/" + DeadLetterKey(run, "traffic", bytes);
        fixture.Objects.TakeDown(run);
        try
        {
            await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), bytes);
            await Eventually.WaitAsync("the dead letter in workflow-state", async () => await FallbackStateAsync(fallbackKey) is not null);
        }
        finally
        {
            fixture.Objects.Restore(run);
        }

        var letter = (await FallbackStateAsync(fallbackKey))!.Value;
        Assert.Empty(SchemaContract.Errors(DeadLetterSchema, letter));
        Assert.Equal(DeadLetterReason.ObjectStoreUnavailable, letter.GetProperty("reason_code").GetString());
        Assert.Equal(run, letter.GetProperty("platform_run_id").GetString());
        Assert.Equal(bytes, Convert.FromBase64String(letter.GetProperty("record_base64").GetString()!));
        Assert.Empty(await KeysAsync($"{run}/"));
    }

    [Fact]
    public async Task Health_endpoints_answer_without_credentials()
    {
        var client = fixture.Ofs.Client(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    private static string DeadLetterKey(string run, string stream, byte[] record) =>
        $"{run}/archive/dead_letters/{stream}/{DeadLetter.IdFor($"eb-{stream}-in-ofs", Convert.ToHexStringLower(SHA256.HashData(record)))}.json";

    private static DateTimeOffset EventTime(JsonElement record) => UtcTimestamp.Parse(record.GetProperty("envelope").GetProperty("ts_utc").GetString()!);

    private static async Task<JsonElement> WaitForObjectAsync(string key)
    {
        JsonElement? found = null;
        await Eventually.WaitAsync(key, async () => (found = await ObjectAsync(key)) is not null);
        return found!.Value;
    }
}

/// <summary>Through the real IG: what OFS archives names the publish exactly as IG's ADMIT receipt does.</summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class IgOriginTests(OfsServiceFixture fixture)
{
    private static readonly string[] StreamsInOrder = ["traffic", "context"];
    private static readonly string[] EbRefFields = ["stream", "partition", "offset", "offset_kind"];

    [Fact]
    public async Task The_archived_eb_ref_and_payload_hash_are_those_of_IGs_receipt()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var ts = new DateTimeOffset(2026, 11, 21, 8, 30, 0, TimeSpan.Zero);
        var transaction = Transaction(run, Unique("evt"), flow, ts);
        var anchor = FlowAnchor(run, Unique("anchor"), flow, ts);

        var receipts = new List<JsonElement>();
        foreach (var envelope in new[] { transaction, anchor })
        {
            using var content = new ByteArrayContent(Bytes(envelope));
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await fixture.Producer.PostAsync(new Uri("/v1/events", UriKind.Relative), content);
            var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            Assert.Equal("ADMIT", body.GetProperty("decision").GetString());
            receipts.Add(body);
        }

        foreach (var (receipt, stream) in receipts.Zip(StreamsInOrder))
        {
            var archive = await CompactedAsync(run, stream, 1);
            Assert.Equal(1, archive.Copies.Values.Single());
            var record = archive.Records.Values.Single();
            var igRef = receipt.GetProperty("eb_ref");
            var ours = record.GetProperty("eb_ref");
            foreach (var field in EbRefFields)
            {
                Assert.Equal(igRef.GetProperty(field).GetString(), ours.GetProperty(field).GetString());
            }

            // The receipt itself (the POST answer is a summary) carries the payload_hash IG computed.
            var receiptPath = new Uri($"/v1/receipts/{receipt.GetProperty("receipt_id").GetString()}", UriKind.Relative);
            JsonElement stored = default;
            await Eventually.WaitAsync(receiptPath.ToString(), async () =>
            {
                using var answer = await fixture.Producer.GetAsync(receiptPath);
                stored = answer.IsSuccessStatusCode ? JsonSerializer.Deserialize<JsonElement>(await answer.Content.ReadAsStringAsync()) : default;
                return answer.IsSuccessStatusCode;
            });
            Assert.Equal(stored.GetProperty("payload_hash").GetRawText(), record.GetProperty("payload_hash").GetRawText());
            Assert.Equal(stored.GetProperty("event_id").GetString(), record.GetProperty("envelope").GetProperty("event_id").GetString());
        }
    }
}
