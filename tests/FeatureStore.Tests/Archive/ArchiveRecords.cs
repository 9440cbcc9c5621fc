using System.Text.Json;
using System.Text.Json.Nodes;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Archive;

/// <summary>Archive records as the writer makes them from delivered envelopes, spooled or compacted into segments.</summary>
internal static class ArchiveRecords
{
    public static readonly DateTimeOffset ArchivedAt = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly StreamRecordReader Reader = StreamRecordReader.Load(SchemaContract.SchemasDirectory);

    public static EventStream StreamOf(JsonObject envelope) =>
        envelope["event_type"]!.GetValue<string>() == "transaction" ? PlatformNames.Streams.Traffic : PlatformNames.Streams.Context;

    /// <summary>What the writer reads from a delivered envelope, and the bytes it spools (archived at <paramref name="archivedAt"/>).</summary>
    public static (ReadOutcome Outcome, NamedRecord Record) Read(JsonObject envelope, DateTimeOffset? archivedAt = null)
    {
        var outcome = Reader.Read(StreamOf(envelope), Bytes(envelope), archivedAt ?? ArchivedAt);
        Assert.True(outcome.Archivable, outcome.Detail);
        return (outcome, new NamedRecord(outcome.RecordName!, JsonSerializer.SerializeToUtf8Bytes(outcome.Record, PlatformJson.Options)));
    }

    public static NamedRecord Named(JsonObject envelope) => Read(envelope).Record;

    /// <summary>Leaves the record where the writer leaves it before compaction: its spool key. Returns the key.</summary>
    public static string Spool(ArchiveStore store, JsonObject envelope)
    {
        var (outcome, record) = Read(envelope);
        store.Objects[outcome.Key!] = record.Record;
        return outcome.Key!;
    }

    /// <summary>Archives the records as a writer's compactor does: segments per run and stream, spool objects deleted.</summary>
    public static async Task<IReadOnlyList<EncodedSegment>> CompactAsync(IObjectStore store, IEnumerable<JsonObject> envelopes)
    {
        var segments = new List<EncodedSegment>();
        foreach (var group in envelopes.Select(e => (Run: e["platform_run_id"]!.GetValue<string>(), Stream: StreamOf(e), Record: Named(e))).GroupBy(r => (r.Run, r.Stream)))
        {
            segments.AddRange(await ArchiveCompaction.CompactAsync(store, group.Key.Run, group.Key.Stream, [.. group.Select(r => r.Record)], CancellationToken.None));
        }

        return segments;
    }

    /// <summary>The record names a segment object holds, in the order of its lines.</summary>
    public static IReadOnlyList<string> NamesIn(string segmentKey, byte[] content, string streamPrefix)
    {
        Assert.True(ArchiveKeys.TryParseSegment(segmentKey, streamPrefix, out var span), segmentKey);
        return [.. ArchiveSegments.Decode(span, content).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var record = document.RootElement;
            Assert.True(FeatureEvent.TryParseUtc(record.GetProperty("envelope").GetProperty("ts_utc").GetString(), out var ts));
            return ArchiveKeys.RecordName(ts, record.GetProperty("eb_ref").GetProperty("offset").GetString()!);
        })];
    }
}
