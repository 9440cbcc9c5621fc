using System.Collections.Concurrent;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing.Fakes;
using static FeatureStore.Tests.Archive.ArchiveRecords;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Archive;

/// <summary>Reading a replayed range from frozen segments: only the range, one copy per name, and no guessing.</summary>
public sealed class ArchiveRangeReaderTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly EventStream Traffic = PlatformNames.Streams.Traffic;
    private static readonly string StreamPrefix = ArchiveKeys.StreamPrefix(Run, Traffic);
    private static readonly List<DateTimeOffset> Times = [.. Enumerable.Range(0, 6).Select(i => new DateTimeOffset(2026, 11, 20, 10 + i, 0, 0, TimeSpan.Zero))];

    private static NamedRecord RecordAt(int i, DateTimeOffset? archivedAt = null, double amount = 42.5) =>
        Read(Transaction(Run, $"evt-{i}", $"flow-{i}", Times[i], amount), archivedAt).Record;

    private static async Task<SegmentSpan> WriteAsync(InMemoryObjectStore store, IEnumerable<NamedRecord> records)
    {
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, records));
        await store.CreateIfAbsentAsync(segment.Key, segment.Content, "application/gzip", CancellationToken.None);
        return Assert.Single(ArchiveRangeReader.Segments([segment.Key], Run, Traffic));
    }

    private static async Task<(ArchiveReadCounts Counts, List<string> EventIds)> ReadAsync(IObjectStore store, IReadOnlyList<SegmentSpan> segments, string start, string end)
    {
        var (counts, read) = await ReadNamedAsync(store, segments, start, end);
        return (counts, [.. read.Select(r => r.EventId).Order(StringComparer.Ordinal)]);
    }

    private static async Task<(ArchiveReadCounts Counts, List<(string Name, string EventId)> Read)> ReadNamedAsync(IObjectStore store, IReadOnlyList<SegmentSpan> segments, string start, string end)
    {
        var read = new ConcurrentBag<(string, string)>();
        var counts = await new ArchiveRangeReader(store).ReadAsync(
            segments, new ReplayRange(Traffic.StreamName, ReplayRange.ArchiveKey, start, end), (name, e) => read.Add((name, e.GetProperty("event_id").GetString()!)), CancellationToken.None);
        return (counts, [.. read]);
    }

    [Fact]
    public async Task Only_names_inside_the_range_both_ends_included_are_handed_on()
    {
        var store = new InMemoryObjectStore();
        var records = Enumerable.Range(0, 6).Select(i => RecordAt(i)).ToList();
        var segment = await WriteAsync(store, records);

        var (counts, read) = await ReadNamedAsync(store, [segment], records[1].Name, records[4].Name);

        Assert.Equal(new ArchiveReadCounts(4, 0), counts);
        Assert.Equal(["evt-1", "evt-2", "evt-3", "evt-4"], read.Select(r => r.EventId).Order(StringComparer.Ordinal));
        // Each envelope comes with the name the writer gave its record.
        Assert.Equal(records.Skip(1).Take(4).Select(r => r.Name), read.OrderBy(r => r.EventId, StringComparer.Ordinal).Select(r => r.Name));
    }

    [Fact]
    public async Task The_same_envelope_in_two_segments_is_read_once_and_counted_as_a_duplicate()
    {
        var store = new InMemoryObjectStore();
        var first = await WriteAsync(store, Enumerable.Range(0, 4).Select(i => RecordAt(i)));
        // The second copies were archived by another delivery later: same envelopes, other archived_at_utc.
        var second = await WriteAsync(store, Enumerable.Range(2, 4).Select(i => RecordAt(i, ArchivedAt.AddMinutes(5))));

        var (counts, ids) = await ReadAsync(store, [first, second], RecordAt(0).Name, RecordAt(5).Name);

        Assert.Equal(new ArchiveReadCounts(6, 2), counts);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"evt-{i}"), ids);
    }

    [Fact]
    public async Task Two_different_envelopes_under_one_name_stop_the_read()
    {
        var store = new InMemoryObjectStore();
        var first = await WriteAsync(store, [RecordAt(1), RecordAt(2)]);
        var other = await WriteAsync(store, [RecordAt(2, amount: 99.5)]);
        Assert.Equal(first.LastName, other.FirstName);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(store, [first, other], RecordAt(0).Name, RecordAt(5).Name));
    }

    [Fact]
    public async Task A_segment_the_snapshot_named_that_is_missing_stops_the_read()
    {
        var store = new InMemoryObjectStore();
        var present = await WriteAsync(store, [RecordAt(1)]);
        var missing = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [RecordAt(2)]));

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            ReadAsync(store, [present, .. ArchiveRangeReader.Segments([missing.Key], Run, Traffic)], RecordAt(0).Name, RecordAt(5).Name));
    }

    [Fact]
    public async Task A_segment_holding_a_record_outside_the_span_its_key_names_stops_the_read()
    {
        var store = new InMemoryObjectStore();
        // The bytes hold records 1 and 3; the key claims records 1 … 2.
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [RecordAt(1), RecordAt(3)]));
        var key = ArchiveKeys.Segment(Run, Traffic, RecordAt(1).Name, RecordAt(2).Name, Digests.Sha256Hex(segment.Content));
        await store.CreateIfAbsentAsync(key, segment.Content, "application/gzip", CancellationToken.None);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(store, ArchiveRangeReader.Segments([key], Run, Traffic), RecordAt(0).Name, RecordAt(5).Name));
    }

    [Fact]
    public async Task A_line_that_is_not_an_archive_record_stops_the_read()
    {
        var store = new InMemoryObjectStore();
        var name = RecordAt(1).Name;
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [new NamedRecord(name, """{"envelope":{"ts_utc":"2026-11-20T11:00:00Z"}}"""u8.ToArray())]));
        await store.CreateIfAbsentAsync(segment.Key, segment.Content, "application/gzip", CancellationToken.None);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(store, ArchiveRangeReader.Segments([segment.Key], Run, Traffic), RecordAt(0).Name, RecordAt(5).Name));
    }

    [Fact]
    public void Segments_refuses_any_key_that_is_not_a_segment_of_the_stream()
    {
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [RecordAt(1)]));

        Assert.Equal(segment.Key, Assert.Single(ArchiveRangeReader.Segments([segment.Key], Run, Traffic)).Key);
        Assert.Throws<InvalidDataException>(() => ArchiveRangeReader.Segments([segment.Key], Run, PlatformNames.Streams.Context));
        Assert.Throws<InvalidDataException>(() => ArchiveRangeReader.Segments([segment.Key], "platform_20261121T000000Z", Traffic));
        Assert.Throws<InvalidDataException>(() => ArchiveRangeReader.Segments([segment.Key, ArchiveKeys.Spool(Run, Traffic, RecordAt(2).Name)], Run, Traffic));
        Assert.Throws<InvalidDataException>(() => ArchiveRangeReader.Segments([StreamPrefix + "20261120/x.ndjson.gz"], Run, Traffic));
    }
}
