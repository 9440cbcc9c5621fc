using System.Text;
using System.Text.Json;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Service;

/// <summary>
/// The archive's spool and segments on the running OFS: what the writer spools its compactor moves into day
/// segments and deletes from the spool, once; what a writer left behind a build's snapshot compacts; a failing
/// segment write loses nothing.
/// </summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class ArchiveCompactionTests(OfsServiceFixture fixture)
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 15, 0, 0, 0, TimeSpan.Zero);
    private static readonly int[] MinutesAcrossTwoDays = [1430, 5, 1500, 700, 1441, 2000, 60, 1439];

    [Fact]
    public async Task Records_of_two_days_end_up_in_day_segments_in_name_order_and_the_spool_empties()
    {
        var run = FreshRunId();
        var expected = await PublishAcrossTwoDaysAsync(run);

        var archive = await CompactedAsync(run, "traffic", expected.Count);

        Assert.Empty(archive.Spool);
        Assert.Empty(await KeysAsync($"{run}/archive/traffic/spool/"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), archive.Records.Keys.Order(StringComparer.Ordinal));
        Assert.All(archive.Copies.Values, copies => Assert.Equal(1, copies));
        Assert.Equal(["20261115", "20261116"], archive.Segments.Select(s => s.Day).Distinct().Order(StringComparer.Ordinal));
        foreach (var segment in archive.Segments)
        {
            Assert.InRange(segment.Names.Count, 1, ArchiveSegments.MaxRecords);
            Assert.InRange(segment.Bytes, 1, ArchiveSegments.MaxObjectBytes);
            Assert.Equal(segment.Names.Order(StringComparer.Ordinal), segment.Names);
            Assert.All(segment.Names, name => Assert.StartsWith(segment.Day, name, StringComparison.Ordinal));
        }

        // Every record is in exactly one segment, of its own day.
        Assert.Equal(expected.Count, archive.Segments.Sum(s => s.Names.Count));
    }

    [Fact]
    public async Task A_redelivery_after_compaction_is_answered_already_archived_and_adds_no_copy()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var envelope = Transaction(run, Unique("evt"), flow, Day1.AddHours(3));
        var bytes = Bytes(envelope);
        var name = $"{KeyTime(Day1.AddHours(3))}_{PublishId(run, "traffic", envelope["event_id"]!.GetValue<string>())}";
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), bytes);
        var compacted = await CompactedAsync(run, "traffic", 1);
        var segment = Assert.Single(compacted.Segments);

        // Straight to the writer, as the binding would redeliver it.
        var writer = fixture.Services.GetRequiredService<ArchiveWriter>();
        var answer = await writer.HandleAsync(new EventBusDelivery(PlatformNames.Streams.Traffic, "eb-traffic-in-ofs", bytes, fixture.Services), CancellationToken.None);
        Assert.Equal(ArchiveResult.AlreadyArchived, answer);

        // And over the bus, followed by a later record on the same partition: once that one is compacted, the
        // redelivery ahead of it has been handled too.
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), bytes);
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(Transaction(run, Unique("evt"), flow, Day1.AddHours(4))));
        var archive = await CompactedAsync(run, "traffic", 2);

        Assert.Equal(2, archive.Records.Count);
        Assert.Equal(1, archive.Copies[name]);
        Assert.Equal(segment.Key, Assert.Single(archive.Segments, s => s.Names.Contains(name)).Key);
        Assert.Equal(compacted.Records[name].GetRawText(), archive.Records[name].GetRawText());
        Assert.Empty(archive.Spool);
        Assert.Empty(await KeysAsync($"{run}/archive/dead_letters/"));
    }

    [Fact]
    public async Task A_spool_record_left_by_a_writer_that_died_is_compacted_by_a_builds_snapshot()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(Transaction(run, Unique("evt"), flow, Day1.AddHours(1))));
        var live = await CompactedAsync(run, "traffic", 1);

        // What a writer leaves when it dies between its spool write and its compaction: one spool object that no
        // running compactor holds.
        var orphan = Transaction(run, Unique("evt"), Unique("flow"), Day1.AddHours(2));
        var outcome = fixture.Services.GetRequiredService<StreamRecordReader>().Read(PlatformNames.Streams.Traffic, Bytes(orphan), DateTimeOffset.UtcNow);
        var orphanName = $"{KeyTime(Day1.AddHours(2))}_{PublishId(run, "traffic", orphan["event_id"]!.GetValue<string>())}";
        var orphanKey = $"{run}/archive/traffic/spool/{orphanName}.json";
        Assert.Equal(orphanKey, outcome.Key);
        var orphanBytes = JsonSerializer.SerializeToUtf8Bytes(outcome.Record, PlatformJson.Options);
        await PutAsync(orphanKey, orphanBytes, "application/json");
        Assert.Equal([orphanName], (await ArchiveAsync(run, "traffic")).Spool);

        var range = new ReplayRange(PlatformNames.Streams.Traffic.StreamName, ReplayRange.ArchiveKey, "20261115T000000000000Z_" + new string('0', 32), "20261115T235959999999Z_" + new string('f', 32));
        var activity = new SnapshotArchiveActivity(fixture.Services.GetRequiredService<IObjectStore>(), fixture.Services.GetRequiredService<IOptions<FeatureStoreOptions>>());
        var snapshot = await activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_" + Guid.NewGuid().ToString("N"), run, range));

        var archive = await ArchiveAsync(run, "traffic");
        Assert.Empty(archive.Spool);
        Assert.Null(await BytesAsync(orphanKey));
        Assert.Equal(2, archive.Records.Count);
        Assert.All(archive.Copies.Values, copies => Assert.Equal(1, copies));
        // The orphan's segment holds the spool object's bytes as they were; the live record's segment is untouched.
        Assert.Equal(Encoding.UTF8.GetString(orphanBytes), archive.Records[orphanName].GetRawText());
        Assert.Contains(Assert.Single(live.Segments).Key, archive.Segments.Select(s => s.Key));

        var listed = (await BytesAsync(snapshot.KeysObjectRef))!;
        Assert.Equal(Digests.Sha256Hex(listed), snapshot.KeysSha256);
        Assert.Equal(string.Concat(archive.Segments.Select(s => s.Key + "\n")), Encoding.UTF8.GetString(listed));
        Assert.Equal(2, snapshot.SegmentCount);
    }

    [Fact]
    public async Task While_segment_writes_fail_records_stay_in_the_spool_and_are_compacted_once_they_succeed()
    {
        var run = FreshRunId();
        fixture.Objects.FailSegmentWrites(run);
        List<string> expected;
        try
        {
            expected = await PublishAcrossTwoDaysAsync(run);
            await Eventually.WaitAsync("every record spooled", async () => (await ArchiveAsync(run, "traffic")).Spool.Count == expected.Count);
            // Two failed flushes after every record was spooled: the later one held all of them.
            var failed = fixture.Objects.Injected;
            await Eventually.WaitAsync("two more failed compactions", () => Task.FromResult(fixture.Objects.Injected >= failed + 2));

            var durable = await ArchiveAsync(run, "traffic");
            Assert.Empty(durable.Segments);
            Assert.Equal(expected.Order(StringComparer.Ordinal), durable.Spool.Order(StringComparer.Ordinal));
        }
        finally
        {
            fixture.Objects.Restore(run);
        }

        var archive = await CompactedAsync(run, "traffic", expected.Count);

        Assert.Equal(expected.Order(StringComparer.Ordinal), archive.Records.Keys.Order(StringComparer.Ordinal));
        Assert.All(archive.Copies.Values, copies => Assert.Equal(1, copies));
        // Compacted together once the store took writes again: one segment per day.
        Assert.Equal(["20261115", "20261116"], archive.Segments.Select(s => s.Day));
        Assert.Equal(expected.Count, archive.Segments.Sum(s => s.Names.Count));
        Assert.Empty(await KeysAsync($"{run}/archive/dead_letters/"));
    }

    /// <summary>Publishes transactions spread over two days, out of order; returns their record names.</summary>
    private async Task<List<string>> PublishAcrossTwoDaysAsync(string run)
    {
        var names = new List<string>();
        foreach (var minutes in MinutesAcrossTwoDays)
        {
            var flow = Unique("flow");
            var ts = Day1.AddMinutes(minutes).AddTicks(10 * minutes);
            var envelope = Transaction(run, Unique("evt"), flow, ts);
            await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(envelope));
            names.Add($"{KeyTime(ts)}_{PublishId(run, "traffic", envelope["event_id"]!.GetValue<string>())}");
        }

        return names;
    }
}
