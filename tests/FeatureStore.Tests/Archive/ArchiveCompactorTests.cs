using System.Text.Json.Nodes;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using static FeatureStore.Tests.Archive.ArchiveRecords;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Archive;

/// <summary>The writer's compactor: spooled records into segments, spool emptied, failures kept for the next flush.</summary>
public sealed class ArchiveCompactorTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static ArchiveCompactor Compactor(IObjectStore store) =>
        new(store, Options.Create(new FeatureStoreOptions()), NullLogger<ArchiveCompactor>.Instance);

    /// <summary>Spools the envelope and hands it to the compactor, as the writer does; returns its spool key and envelope digest.</summary>
    private static (string SpoolKey, string Digest) Write(ArchiveStore store, ArchiveCompactor compactor, JsonObject envelope)
    {
        var (outcome, record) = Read(envelope);
        store.Objects[outcome.Key!] = record.Record;
        var digest = Digests.Sha256Hex(CanonicalJson.Serialize(outcome.Record!.Envelope));
        Assert.True(compactor.Enqueue(outcome.PlatformRunId!, outcome.Stream!, record, digest));
        return (outcome.Key!, digest);
    }

    private static List<string> SegmentsOf(ArchiveStore store, string run, EventStream stream) =>
        [.. store.Objects.Keys.Where(k => ArchiveKeys.TryParseSegment(k, ArchiveKeys.StreamPrefix(run, stream), out _)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_flush_writes_the_segments_deletes_the_spool_and_remembers_what_it_compacted()
    {
        var store = new ArchiveStore();
        using var compactor = Compactor(store);
        var traffic = Enumerable.Range(0, 5).Select(i => Transaction(Run, $"evt-{i}", $"flow-{i}", Start.AddMinutes(i))).ToList();
        var written = traffic.Select(e => Write(store, compactor, e)).ToList();
        var context = Write(store, compactor, FlowAnchor(Run, "anchor-1", "flow-1", Start));
        Assert.Equal(6, compactor.PendingCount);
        Assert.False(compactor.TryGetCompacted(written[0].SpoolKey, out _));

        await compactor.FlushAsync(CancellationToken.None);

        Assert.Equal(0, compactor.PendingCount);
        var segment = Assert.Single(SegmentsOf(store, Run, PlatformNames.Streams.Traffic));
        Assert.Equal(traffic.Select(e => Named(e).Name), NamesIn(segment, store.Objects[segment], ArchiveKeys.StreamPrefix(Run, PlatformNames.Streams.Traffic)));
        Assert.Single(SegmentsOf(store, Run, PlatformNames.Streams.Context));
        Assert.All(written.Append(context), w => Assert.False(store.Objects.ContainsKey(w.SpoolKey), w.SpoolKey));
        Assert.All(written.Append(context), w =>
        {
            Assert.True(compactor.TryGetCompacted(w.SpoolKey, out var digest));
            Assert.Equal(w.Digest, digest);
        });
        Assert.False(compactor.TryGetCompacted(ArchiveKeys.Spool(Run, PlatformNames.Streams.Traffic, Named(Transaction(Run, "evt-9", "flow-9", Start)).Name), out _));
    }

    [Fact]
    public async Task A_failed_flush_keeps_the_records_pending_and_in_the_spool_and_the_next_flush_compacts_them()
    {
        var store = new ArchiveStore();
        using var compactor = Compactor(store);
        var written = Enumerable.Range(0, 3).Select(i => Write(store, compactor, Transaction(Run, $"evt-{i}", $"flow-{i}", Start.AddMinutes(i)))).ToList();
        store.FailNextCreates(1);

        await compactor.FlushAsync(CancellationToken.None);

        Assert.Equal(3, compactor.PendingCount);
        Assert.Empty(SegmentsOf(store, Run, PlatformNames.Streams.Traffic));
        Assert.All(written, w => Assert.True(store.Objects.ContainsKey(w.SpoolKey)));
        // Taken for compaction is enough for a redelivery's answer: the record is durable in the spool meanwhile.
        Assert.All(written, w => Assert.True(compactor.TryGetCompacted(w.SpoolKey, out var digest) && digest == w.Digest));

        await compactor.FlushAsync(CancellationToken.None);

        Assert.Equal(0, compactor.PendingCount);
        Assert.Single(SegmentsOf(store, Run, PlatformNames.Streams.Traffic));
        Assert.All(written, w => Assert.False(store.Objects.ContainsKey(w.SpoolKey)));
        Assert.All(written, w => Assert.True(compactor.TryGetCompacted(w.SpoolKey, out _)));
    }

    [Fact]
    public void Beyond_max_pending_records_a_record_is_refused_and_stays_only_in_the_spool()
    {
        using var compactor = Compactor(new ArchiveStore());
        var record = Named(Transaction(Run, "evt-0", "flow-0", Start));

        for (var i = 0; i < ArchiveCompactor.MaxPendingRecords; i++)
        {
            Assert.True(compactor.Enqueue(Run, PlatformNames.Streams.Traffic, record, "d"));
        }

        Assert.False(compactor.Enqueue(Run, PlatformNames.Streams.Traffic, record, "d"));
        Assert.Equal(ArchiveCompactor.MaxPendingRecords, compactor.PendingCount);
    }
}
