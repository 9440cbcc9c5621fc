using System.Text;
using System.Text.Json.Nodes;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using static FeatureStore.Tests.Archive.ArchiveRecords;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Archive;

/// <summary>Freezing a range: the spool's leftovers compacted, the overlapping segments listed once, a live writer left to its work.</summary>
public sealed class SnapshotArchiveActivityTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly EventStream Traffic = PlatformNames.Streams.Traffic;
    private static readonly string StreamPrefix = ArchiveKeys.StreamPrefix(Run, Traffic);
    private static readonly string SpoolPrefix = ArchiveKeys.SpoolPrefix(Run, Traffic);
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static JsonObject Event(int i, string run = Run) => Transaction(run, $"evt-{i}", $"flow-{i}", Start.AddHours(i));

    private static string NameOf(int i) => Named(Event(i)).Name;

    private static SnapshotArchiveActivity Activity(IObjectStore store, TimeSpan? settle = null) =>
        new(store, Options.Create(new FeatureStoreOptions { SpoolSettleTime = settle ?? TimeSpan.Zero }));

    private static ReplayRange Range(string start, string end) => new(Traffic.StreamName, ReplayRange.ArchiveKey, start, end);

    private static Task<ArchiveSnapshot> SnapshotAsync(SnapshotArchiveActivity activity, ReplayRange range, string buildId = "ofsb_1") =>
        activity.RunAsync(null!, new SnapshotArchiveInput(buildId, Run, range));

    private static List<string> Listed(ArchiveStore store, ArchiveSnapshot snapshot) =>
        [.. Encoding.UTF8.GetString(store.Objects[snapshot.KeysObjectRef]).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static List<string> Segments(ArchiveStore store) =>
        [.. store.Objects.Keys.Where(k => ArchiveKeys.TryParseSegment(k, StreamPrefix, out _)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Spool_records_in_the_range_are_compacted_and_deleted_and_the_others_left_where_they_are()
    {
        var store = new ArchiveStore();
        var spooled = Enumerable.Range(0, 6).Select(i => Spool(store, Event(i))).ToList();
        var otherRun = Spool(store, Event(2, "platform_20261121T000000Z"));

        var snapshot = await SnapshotAsync(Activity(store), Range(NameOf(1), NameOf(4)));

        var segment = Assert.Single(Segments(store));
        Assert.Equal([segment], Listed(store, snapshot));
        Assert.Equal(1, snapshot.SegmentCount);
        Assert.Equal(Enumerable.Range(1, 4).Select(NameOf), NamesIn(segment, store.Objects[segment], StreamPrefix));
        Assert.Equal([spooled[0], spooled[5], otherRun], spooled.Append(otherRun).Where(store.Objects.ContainsKey));
    }

    [Fact]
    public async Task Only_segments_whose_span_overlaps_the_range_are_listed()
    {
        var store = new ArchiveStore();
        // Hours 0-1, 2-3, 4-5 (segments of one day each), 14 and 38 (the next days), and the same hours of another run.
        int[][] batches = [[0, 1], [2, 3], [4, 5], [14], [38]];
        foreach (var batch in batches)
        {
            await CompactAsync(store, batch.Select(i => Event(i)));
            await CompactAsync(store, batch.Select(i => Event(i, "platform_20261121T000000Z")));
        }

        var segments = Segments(store);
        Assert.Equal(batches.Length, segments.Count);

        // From the last record of the first segment to the first record of the fourth: touching both ends counts.
        var snapshot = await SnapshotAsync(Activity(store), Range(NameOf(1), NameOf(14)));

        Assert.Equal(segments.Take(4), Listed(store, snapshot));
        Assert.Equal(4, snapshot.SegmentCount);
        var oneName = await SnapshotAsync(Activity(store), Range(NameOf(1), NameOf(1)), "ofsb_2");
        Assert.Equal(segments.Take(1), Listed(store, oneName));
        var none = await SnapshotAsync(Activity(store), Range(NameOf(6), NameOf(13)), "ofsb_3");
        Assert.Empty(Listed(store, none));
        Assert.Equal(0, none.SegmentCount);
    }

    [Fact]
    public async Task A_retry_of_the_same_range_gives_the_same_snapshot()
    {
        var store = new ArchiveStore();
        await CompactAsync(store, Enumerable.Range(0, 3).Select(i => Event(i)));
        Spool(store, Event(3));
        var range = Range(NameOf(0), NameOf(5));

        var first = await SnapshotAsync(Activity(store), range);
        var objects = store.Objects.Count;
        var second = await SnapshotAsync(Activity(store), range);

        Assert.Equal(first, second);
        Assert.Equal(2, first.SegmentCount);
        Assert.Equal(objects, store.Objects.Count);
    }

    [Fact]
    public async Task A_writer_that_compacts_while_the_snapshot_waits_is_left_to_it_and_no_second_segment_is_written()
    {
        var store = new ArchiveStore();
        var events = Enumerable.Range(0, 5).Select(i => Event(i)).ToList();
        foreach (var e in events)
        {
            Spool(store, e);
        }

        // The live writer's compactor runs between the snapshot's first and second look at the spool; its batch also
        // holds a record outside the range, so its segment is not the one the snapshot would have written.
        store.BeforeList = async (prefix, listing) =>
        {
            if (prefix == SpoolPrefix && listing == 2)
            {
                await CompactAsync(store, events);
            }
        };

        var snapshot = await SnapshotAsync(Activity(store, TimeSpan.FromMinutes(1)), Range(NameOf(1), NameOf(3)));

        var segment = Assert.Single(Segments(store));
        Assert.Equal([segment], Listed(store, snapshot));
        Assert.Equal(Enumerable.Range(0, 5).Select(NameOf), NamesIn(segment, store.Objects[segment], StreamPrefix));
        Assert.Equal([segment], store.Created.Where(k => k.StartsWith(StreamPrefix, StringComparison.Ordinal)));
        Assert.Empty(await store.ListKeysAsync(SpoolPrefix, CancellationToken.None));
    }
}
