using System.Text;
using System.Text.Json;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Testing;
using Platform.Testing.Fakes;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Workflows;

/// <summary>The build's activities over an in-memory object store: frozen inputs, fail-closed digests, reproducible outputs.</summary>
public sealed class ActivityTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly StreamRecordReader Reader = StreamRecordReader.Load(SchemaContract.SchemasDirectory);
    private static readonly PlatformRuntime Runtime = new("ofs", PlatformEnvironment.LocalParity, ServiceRelease.Parse(new string('9', 40)));

    [Fact]
    public async Task An_archive_snapshot_holds_exactly_the_range_and_a_changed_range_fails_the_retry()
    {
        var store = new InMemoryObjectStore();
        var times = Enumerable.Range(0, 6).Select(i => new DateTimeOffset(2026, 11, 20, 10 + i, 0, 0, TimeSpan.Zero)).ToList();
        foreach (var ts in times)
        {
            Archive(store, Transaction(Run, $"evt-{ts.Hour}", $"flow-{ts.Hour}", ts));
        }

        Archive(store, Transaction("platform_20261121T000000Z", "evt-other-run", "flow-x", times[2]));
        var range = new ReplayRange("fp.bus.traffic.v1", ReplayRange.ArchiveKey, KeyTime(times[1]) + "_" + new string('0', 32), KeyTime(times[4]) + "_" + new string('f', 32));
        var activity = new SnapshotArchiveActivity(store);

        var snapshot = await activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_1", Run, range));

        Assert.Equal(4, snapshot.RecordCount);
        var listed = Encoding.UTF8.GetString(store.Objects[snapshot.KeysObjectRef]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(times.Skip(1).Take(4).Select(KeyTime), listed.Select(k => k.Split('/')[^1][..22]));
        Assert.Equal(Digests.Sha256Hex(store.Objects[snapshot.KeysObjectRef]), snapshot.KeysSha256);
        Assert.Equal(snapshot, await activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_1", Run, range)));

        // A record landing inside the range after the snapshot: the retry refuses rather than read another set.
        Archive(store, Transaction(Run, "evt-late", "flow-late", times[2].AddMinutes(1)));
        await Assert.ThrowsAsync<ObjectConflictException>(() => activity.RunAsync(null!, new SnapshotArchiveInput("ofsb_1", Run, range)));
    }

    [Fact]
    public async Task The_whole_chain_gives_the_same_dataset_and_manifest_fingerprint_twice_and_a_tampered_input_fails_closed()
    {
        var store = new InMemoryObjectStore();
        var stream = Features.GeneratedStream.Create(200, seed: 31);
        foreach (var e in stream)
        {
            var envelope = Transaction(Run, e.EventId, "flow-" + e.AccountId, e.TsUtc, e.AmountMinor / 100.0);
            Archive(store, envelope);
        }

        var labels = new FixedLabels(stream.Where((_, i) => i % 5 == 0)
            .Select(e => new LabelObservation(e.EventId, LabelObservation.ChargebackStatus, "CHARGEBACK", e.TsUtc.AddDays(1), "la-" + e.EventId)).ToList());
        var request = OfsBuildWorkflowTests.Request(Run) with
        {
            ReplayBasis = [new ReplayRange("fp.bus.traffic.v1", ReplayRange.ArchiveKey, "20260101T000000000000Z_" + new string('0', 32), "20270101T000000000000Z_" + new string('f', 32))],
        };

        var first = await RunChainAsync(store, labels, request);
        var second = await RunChainAsync(store, labels, request);

        Assert.Equal(first, second);
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
        var snapshot = new ArchiveSnapshot(request.ReplayBasis[0], 200, keysRef, Digests.Sha256Hex(store.Objects[keysRef].AsSpan(0, store.Objects[keysRef].Length - 2)));
        var input = new BuildDatasetInput("ofsb_tampered", Run, [snapshot], new LabelSnapshot(0, "none", new string('0', 64)), request.LabelBasis, request.FeatureDefinitionSet);
        await Assert.ThrowsAsync<InvalidDataException>(() => new BuildDatasetActivity(store).RunAsync(null!, input));
        Assert.DoesNotContain(store.Objects.Keys, k => k.Contains("ofsb_tampered", StringComparison.Ordinal));
    }

    private static async Task<ManifestRef> RunChainAsync(InMemoryObjectStore store, ILabelTimeline labels, OfsBuildRequest request)
    {
        var buildId = request.BuildId();
        var archives = new List<ArchiveSnapshot>();
        foreach (var range in request.ReplayBasis)
        {
            archives.Add(await new SnapshotArchiveActivity(store).RunAsync(null!, new SnapshotArchiveInput(buildId, request.PlatformRunId, range)));
        }

        var labelSnapshot = await new SnapshotLabelsActivity(labels, store).RunAsync(null!, new SnapshotLabelsInput(buildId, request.PlatformRunId));
        var dataset = await new BuildDatasetActivity(store).RunAsync(null!, new BuildDatasetInput(buildId, request.PlatformRunId, archives, labelSnapshot, request.LabelBasis, request.FeatureDefinitionSet));
        return await new WriteManifestActivity(store, Runtime).RunAsync(null!, new WriteManifestInput(request, archives, dataset));
    }

    private static void Archive(InMemoryObjectStore store, System.Text.Json.Nodes.JsonObject envelope)
    {
        var stream = envelope["event_type"]!.GetValue<string>() == "transaction" ? PlatformNames.Streams.Traffic : PlatformNames.Streams.Context;
        var outcome = Reader.Read(stream, Bytes(envelope), new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        Assert.True(outcome.Archivable, outcome.Detail);
        store.Objects[outcome.Key!] = JsonSerializer.SerializeToUtf8Bytes(outcome.Record, PlatformJson.Options);
    }

    private sealed class FixedLabels(IReadOnlyList<LabelObservation> labels) : ILabelTimeline
    {
        public Task<IReadOnlyList<LabelObservation>> ReadRunAsync(string platformRunId, CancellationToken cancellationToken) => Task.FromResult(labels);
    }
}
