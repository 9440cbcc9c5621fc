using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Activities;

/// <summary>
/// Reads the frozen inputs (verified against their digests, archive ranges through <see cref="ArchiveRangeReader"/>), builds the point-in-time dataset and writes it as
/// Parquet, once, under the build id, in parts of at most <see cref="RowsPerPart"/> rows. The same inputs give the same
/// bytes, so a retry finds its own files.
/// </summary>
public sealed class BuildDatasetActivity(IObjectStore objects) : WorkflowActivity<BuildDatasetInput, DatasetBuildOutput>
{
    /// <summary>
    /// Every object crosses the sidecar in one gRPC message, base64-encoded, and daprd caps a message at 4 MiB
    /// (--max-body-size). fraud_core v1 rows take ~85 bytes of Parquet, so 20,000 rows (~1.7 MB, ~2.3 MB encoded)
    /// leave room for wider rows; a 1,000,000-row dataset in one part (~78 MB) cannot be written at all.
    /// </summary>
    public const int RowsPerPart = 20_000;

    public override async Task<DatasetBuildOutput> RunAsync(WorkflowActivityContext context, BuildDatasetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var pinned = input.FeatureDefinitionSet;
        var featureSet = FeatureSetCatalog.Find(pinned.FeatureSetId, pinned.FeatureSetVersion, pinned.DefinitionDigest)
            ?? throw new InvalidOperationException($"Feature set {pinned.FeatureSetId}/{pinned.FeatureSetVersion} with digest {pinned.DefinitionDigest} is not in this release.");

        // Each record is reduced to what the feature set reads as soon as it arrives: the build holds transactions,
        // never envelopes. Arrival order does not matter: the replay sorts. fraud_core reads transactions only; the
        // other ranges are still read, verified and counted, since the manifest vouches for them.
        var transactions = new ConcurrentBag<FeatureEvent>();
        var scenarioRuns = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        long unreadable = 0;
        var recordCounts = new List<long>(input.Archives.Count);
        foreach (var archive in input.Archives)
        {
            var stream = PlatformNames.Streams.Named(archive.Range.Stream);
            var isTraffic = stream == PlatformNames.Streams.Traffic;
            var keys = Encoding.UTF8.GetString(await ReadVerifiedAsync(archive.KeysObjectRef, archive.KeysSha256)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var read = await new ArchiveRangeReader(objects).ReadAsync(ArchiveRangeReader.Segments(keys, input.PlatformRunId, stream), archive.Range, (name, envelope) =>
            {
                if (!isTraffic)
                {
                    return;
                }

                if (envelope.TryGetProperty("scenario_run_id", out var scenarioRun) && scenarioRun.GetString() is { Length: > 0 } id)
                {
                    scenarioRuns.TryAdd(id, 0);
                }

                if (FeatureEvent.TryFromEnvelope(envelope, out var transaction, out _))
                {
                    transactions.Add(transaction!);
                }
                else
                {
                    Interlocked.Increment(ref unreadable);
                }
            }, CancellationToken.None);
            recordCounts.Add(read.Records);
        }

        var labels = JsonSerializer.Deserialize<List<LabelObservation>>(await ReadVerifiedAsync(input.Labels.ObjectRef, input.Labels.Sha256), PlatformJson.Options) ?? [];
        var (rows, counts) = PointInTimeDataset.Build(featureSet, transactions, unreadable, labels, input.LabelBasis);
        // Parts in replay order; an empty dataset is still one (empty) part, so a manifest always names its schema.
        var digests = new List<ContentDigest>();
        for (var part = 0; part == 0 || part * RowsPerPart < rows.Count; part++)
        {
            var slice = rows.Skip(part * RowsPerPart).Take(RowsPerPart).ToList();
            var parquet = await DatasetParquet.WriteAsync(featureSet, slice, CancellationToken.None);
            var key = OfsBuildKeys.DatasetPart(input.PlatformRunId, input.BuildId, part);
            await objects.CreateIfAbsentAsync(key, parquet, "application/vnd.apache.parquet", CancellationToken.None);
            digests.Add(new ContentDigest(key, Digests.Sha256Hex(parquet)));
        }

        return new DatasetBuildOutput(digests, counts, [.. scenarioRuns.Keys.Order(StringComparer.Ordinal)], recordCounts);
    }

    private async Task<byte[]> ReadVerifiedAsync(string key, string sha256)
    {
        var bytes = await objects.GetAsync(key, CancellationToken.None) ?? throw new InvalidDataException($"Build input {key} is missing.");
        return Digests.Sha256Hex(bytes) == sha256 ? bytes : throw new InvalidDataException($"Build input {key} does not match its digest.");
    }
}
