using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Tests.Archive;
using FeatureStore.Workflows;
using Microsoft.Extensions.Options;
using Parquet;
using Platform.Features;
using Platform.Substrate.Pinning;
using static FeatureStore.Tests.Archive.ArchiveRecords;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Benchmarking;

/// <summary>
/// A dataset bigger than one part (found by the 1,000,000-row benchmark: one 78 MB part cannot cross the sidecar's
/// 4 MiB message cap) is written as consecutive parts in replay order, each named in the manifest with its digest.
/// </summary>
public sealed class DatasetPartTests
{
    private const string Run = "platform_20261101T000000Z";

    [Fact]
    public async Task A_dataset_over_the_part_size_is_split_into_consecutive_parts_in_replay_order_and_a_retry_rewrites_nothing()
    {
        var store = new ArchiveStore();
        var stream = Features.GeneratedStream.Create((2 * BuildDatasetActivity.RowsPerPart) + 1, seed: 47);
        // Archived as the writer's compactor archives: segments of one day each.
        await CompactAsync(store, stream.Select(e => Transaction(Run, e.EventId, "flow-" + e.AccountId, e.TsUtc, e.AmountMinor / 100.0)));

        var range = new ReplayRange("fp.bus.traffic.v1", ReplayRange.ArchiveKey, "20000101T000000000000Z_" + new string('0', 32), "29991231T000000000000Z_" + new string('f', 32));
        var settled = Options.Create(new FeatureStoreOptions { SpoolSettleTime = TimeSpan.Zero });
        var archive = await new SnapshotArchiveActivity(store, settled).RunAsync(null!, new SnapshotArchiveInput("ofsb_parts", Run, range));
        var labels = "[]"u8.ToArray();
        store.Objects["labels.json"] = labels;
        // Every transaction is mature and unlabelled: one negative row each, so the row count is known.
        var basis = new LabelBasis(stream[^1].TsUtc.AddDays(10), LabelBasis.FraudPositiveElseMatureNegativeV0, 3);
        var input = new BuildDatasetInput("ofsb_parts", Run, [archive], new LabelSnapshot(0, "labels.json", Digests.Sha256Hex(labels)), basis, FeatureDefinitionSetRef.Of(FraudCore.V1));

        var output = await new BuildDatasetActivity(store).RunAsync(null!, input);

        Assert.Equal(stream.Count, output.RowCounts.Total);
        Assert.Equal([stream.Count], output.ArchiveRecordCounts);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => OfsBuildKeys.DatasetPart(Run, "ofsb_parts", i)), output.ContentDigests.Select(d => d.ObjectRef));
        Assert.All(output.ContentDigests, d => Assert.Equal(Digests.Sha256Hex(store.Objects[d.ObjectRef]), d.Sha256));
        var partIds = new List<List<string?>>();
        foreach (var digest in output.ContentDigests)
        {
            partIds.Add(await EventIdsAsync(store.Objects[digest.ObjectRef]));
        }

        Assert.Equal([BuildDatasetActivity.RowsPerPart, BuildDatasetActivity.RowsPerPart, 1], partIds.Select(p => p.Count));
        var (rows, _) = PointInTimeDataset.Build(FraudCore.V1, stream, 0, [], basis);
        Assert.Equal(rows.Select(r => r.EventId), partIds.SelectMany(p => p));

        var objects = store.Objects.Count;
        Assert.Equal(output.ContentDigests, (await new BuildDatasetActivity(store).RunAsync(null!, input)).ContentDigests);
        Assert.Equal(objects, store.Objects.Count);
    }

    private static async Task<List<string?>> EventIdsAsync(byte[] parquet)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(parquet));
        var ids = new List<string?>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var column = new string?[group.RowCount];
            await group.ReadAsync(reader.Schema.GetDataFields()[0], column.AsMemory());
            ids.AddRange(column);
        }

        return ids;
    }
}
