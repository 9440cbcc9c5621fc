using System.Text;
using System.Text.Json;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Tests.Archive;
using FeatureStore.Workflows;
using Microsoft.Extensions.Options;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Testing;
using static FeatureStore.Tests.Archive.ArchiveRecords;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Workflows;

/// <summary>The build's activities over an in-memory object store: frozen inputs, fail-closed digests, reproducible outputs.</summary>
public sealed class ActivityTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly IOptions<FeatureStoreOptions> Settled = Options.Create(new FeatureStoreOptions { SpoolSettleTime = TimeSpan.Zero });
    private static readonly PlatformRuntime Runtime = new("ofs", PlatformEnvironment.LocalParity, ServiceRelease.Parse(new string('9', 40)));

    [Fact]
    public async Task An_archive_snapshot_holds_exactly_the_range_and_a_changed_range_fails_the_retry()
    {
        var store = new ArchiveStore();
        var times = Enumerable.Range(0, 6).Select(i => new DateTimeOffset(2026, 11, 20, 10 + i, 0, 0, TimeSpan.Zero)).ToList();
        var events = times.Select(ts => Transaction(Run, $"evt-{ts.Hour}", $"flow-{ts.Hour}", ts)).ToList();
        // The first three are in a segment (a live writer compacted them); the rest wait in the spool (their writer stopped).
        await CompactAsync(store, events.Take(3));
        foreach (var envelope in events.Skip(3))
        {
            Archive(store, envelope);
        }

        Archive(store, Transaction("platform_20261121T000000Z", "evt-other-run", "flow-x", times[2]));
        var range = new ReplayRange("fp.bus.traffic.v1", ReplayRange.ArchiveKey, KeyTime(times[1]) + "_" + new string('0', 32), KeyTime(times[4]) + "_" + new string('f', 32));
        var activity = new SnapshotArchiveActivity(store, Settled);

        var snapshot = await activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_1", Run, range));

        // The compacted segment (hours 10-12) and the one the snapshot made of the spool's in-range leftovers (13-14).
        Assert.Equal(2, snapshot.SegmentCount);
        var listed = Encoding.UTF8.GetString(store.Objects[snapshot.KeysObjectRef]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([(KeyTime(times[0]), KeyTime(times[2])), (KeyTime(times[3]), KeyTime(times[4]))], listed.Select(Span));
        // Hour 15 is outside the range: its spool object waits for its writer or a build of its range.
        Assert.True(store.Objects.ContainsKey(Read(events[5]).Outcome.Key!));
        Assert.Equal(Digests.Sha256Hex(store.Objects[snapshot.KeysObjectRef]), snapshot.KeysSha256);
        Assert.Equal(snapshot, await activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_1", Run, range)));

        // The build reads the records of the range only, though the first segment also holds hour 10.
        var dataset = await new BuildDatasetActivity(store).RunAsync(null!, DatasetInput("ofsb_1", store, [snapshot]));
        Assert.Equal([4L], dataset.ArchiveRecordCounts);

        // A record landing inside the range after the snapshot: the retry refuses rather than read another set.
        Archive(store, Transaction(Run, "evt-late", "flow-late", times[2].AddMinutes(1)));
        await Assert.ThrowsAsync<ObjectConflictException>(() => activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_1", Run, range)));
    }

    [Fact]
    public async Task The_whole_chain_gives_the_same_dataset_and_manifest_fingerprint_twice_and_a_tampered_input_fails_closed()
    {
        var store = new ArchiveStore();
        var stream = Features.GeneratedStream.Create(200, seed: 31);
        var envelopes = stream.Select(e => Transaction(Run, e.EventId, "flow-" + e.AccountId, e.TsUtc, e.AmountMinor / 100.0)).ToList();
        // Compacted in batches as a live writer does, the last ten also left in the spool (a compaction that wrote its
        // segment but stopped before deleting): the snapshot compacts those again and the build reads one copy each.
        foreach (var batch in envelopes.Chunk(64))
        {
            await CompactAsync(store, batch);
        }

        foreach (var envelope in envelopes.TakeLast(10))
        {
            Archive(store, envelope);
        }

        var labels = new FixedLabels(stream.Where((_, i) => i % 5 == 0)
            .Select(e => new LabelObservation(e.EventId, LabelObservation.ChargebackStatus, "CHARGEBACK", e.TsUtc.AddDays(1), "la-" + e.EventId)).ToList());
        var request = OfsBuildWorkflowTests.Request(Run) with
        {
            ReplayBasis = [new ReplayRange("fp.bus.traffic.v1", ReplayRange.ArchiveKey, "20260101T000000000000Z_" + new string('0', 32), "20270101T000000000000Z_" + new string('f', 32))],
        };

        var first = await RunChainAsync(store, labels, request);
        var segments = store.Objects.Count;
        var second = await RunChainAsync(store, labels, request);

        Assert.Equal(first, second);
        Assert.Equal(segments, store.Objects.Count);
        Assert.Empty(await store.ListKeysAsync(ArchiveKeys.SpoolPrefix(Run, PlatformNames.Streams.Traffic), CancellationToken.None));
        var manifest = JsonSerializer.Deserialize<JsonElement>(store.Objects[first.ObjectRef]);
        Assert.Empty(SchemaContract.Errors("ofs/dataset_manifest.v0.schema.json", manifest));
        Assert.Equal(first.DatasetFingerprint, manifest.GetProperty("dataset_fingerprint").GetString());
        var dataset = manifest.GetProperty("content_digests")[0];
        Assert.Equal(Digests.Sha256Hex(store.Objects[dataset.GetProperty("object_ref").GetString()!]), dataset.GetProperty("sha256").GetString());
        Assert.Equal(200, manifest.GetProperty("replay_basis")[0].GetProperty("record_count").GetInt64());
        Assert.Equal(40, manifest.GetProperty("row_counts").GetProperty("positives").GetInt64());

        // The frozen key list no longer matches its digest: the build stops before writing anything.
        var keysRef = OfsBuildKeys.ArchiveSnapshot(Run, request.BuildId(), PlatformNames.Streams.Traffic);
        store.Objects[keysRef] = [.. store.Objects[keysRef], .. "x\n"u8.ToArray()];
        var frozen = store.Objects[keysRef];
        var segmentCount = Encoding.UTF8.GetString(frozen).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        store.Objects[keysRef] = [.. frozen, .. "x\n"u8.ToArray()];
        var snapshot = new ArchiveSnapshot(request.ReplayBasis[0], segmentCount, keysRef, Digests.Sha256Hex(frozen));
        var input = new BuildDatasetInput("ofsb_tampered", Run, [snapshot], new LabelSnapshot(0, "none", new string('0', 64)), request.LabelBasis, request.FeatureDefinitionSet);
        await Assert.ThrowsAsync<InvalidDataException>(() => new BuildDatasetActivity(store).RunAsync(null!, input));
        Assert.DoesNotContain(store.Objects.Keys, k => k.Contains("ofsb_tampered", StringComparison.Ordinal));

        // A list that matches its digest but names something other than a segment of the stream is refused as well.
        var foreign = Encoding.UTF8.GetBytes(Read(envelopes[0]).Outcome.Key + "\n");
        store.Objects["foreign.keys"] = foreign;
        var forged = input with { Archives = [snapshot with { KeysObjectRef = "foreign.keys", KeysSha256 = Digests.Sha256Hex(foreign) }] };
        await Assert.ThrowsAsync<InvalidDataException>(() => new BuildDatasetActivity(store).RunAsync(null!, forged));
        Assert.DoesNotContain(store.Objects.Keys, k => k.Contains("ofsb_tampered", StringComparison.Ordinal));
    }

    private static async Task<ManifestRef> RunChainAsync(ArchiveStore store, ILabelTimeline labels, OfsBuildRequest request)
    {
        var buildId = request.BuildId();
        var archives = new List<ArchiveSnapshot>();
        foreach (var range in request.ReplayBasis)
        {
            archives.Add(await new SnapshotArchiveActivity(store, Settled).RunAsync(null!, new SnapshotArchiveInput(buildId, request.PlatformRunId, range)));
        }

        var labelSnapshot = await new SnapshotLabelsActivity(labels, store).RunAsync(null!, new SnapshotLabelsInput(buildId, request.PlatformRunId));
        var dataset = await new BuildDatasetActivity(store).RunAsync(null!, new BuildDatasetInput(buildId, request.PlatformRunId, archives, labelSnapshot, request.LabelBasis, request.FeatureDefinitionSet));
        return await new WriteManifestActivity(store, Runtime).RunAsync(null!, new WriteManifestInput(request, archives, dataset));
    }

    /// <summary>Leaves the record where the archive writer leaves it: in the spool, until a compaction moves it into a segment.</summary>
    private static void Archive(ArchiveStore store, System.Text.Json.Nodes.JsonObject envelope) => Spool(store, envelope);

    /// <summary>The event times of a segment key's first and last record.</summary>
    private static (string First, string Last) Span(string segmentKey)
    {
        Assert.True(ArchiveKeys.TryParseSegment(segmentKey, ArchiveKeys.StreamPrefix(Run, PlatformNames.Streams.Traffic), out var span), segmentKey);
        return (span.FirstName[..22], span.LastName[..22]);
    }

    /// <summary>A dataset build of the snapshots with no labels.</summary>
    private static BuildDatasetInput DatasetInput(string buildId, ArchiveStore store, IReadOnlyList<ArchiveSnapshot> archives)
    {
        var labels = "[]"u8.ToArray();
        store.Objects["labels.json"] = labels;
        var request = OfsBuildWorkflowTests.Request(Run);
        return new BuildDatasetInput(buildId, Run, archives, new LabelSnapshot(0, "labels.json", Digests.Sha256Hex(labels)), request.LabelBasis, request.FeatureDefinitionSet);
    }

    private sealed class FixedLabels(IReadOnlyList<LabelObservation> labels) : ILabelTimeline
    {
        public Task<IReadOnlyList<LabelObservation>> ReadRunAsync(string platformRunId, CancellationToken cancellationToken) => Task.FromResult(labels);
    }
}
