using System.Text.Json;
using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Workflows;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;

namespace FeatureStore.Activities;

/// <summary>Writes the immutable DatasetManifest once, at a key named by its own fingerprint.</summary>
public sealed class WriteManifestActivity(IObjectStore objects, PlatformRuntime runtime) : WorkflowActivity<WriteManifestInput, ManifestRef>
{
    /// <summary>The archive ranges span every partition key of their stream.</summary>
    public const string AllPartitions = "all_partitions";

    public override async Task<ManifestRef> RunAsync(WorkflowActivityContext context, WriteManifestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        if (input.Dataset.ArchiveRecordCounts.Count != input.Archives.Count)
        {
            throw new InvalidOperationException("The dataset build counted records for a different number of archive ranges than the build replayed.");
        }

        var manifest = DatasetManifest.Create(
            request.PlatformRunId,
            input.Dataset.ScenarioRunIds,
            input.Archives.Zip(input.Dataset.ArchiveRecordCounts, (a, records) =>
                new ReplayBasisEntry(a.Range.Stream, AllPartitions, a.Range.OffsetKind, a.Range.StartOffset, a.Range.EndOffset, records, a.KeysSha256)),
            request.LabelBasis,
            request.FeatureDefinitionSet,
            input.Dataset.RowCounts,
            input.Dataset.ContentDigests,
            new ManifestProvenance(request.OfsCodeReleaseId, runtime.PolicyRev?.ContentDigest, RunConfigDigest: null, runtime.Environment));
        await objects.CreateIfAbsentAsync(manifest.ObjectKey, JsonSerializer.SerializeToUtf8Bytes(manifest, PlatformJson.Options), "application/json", CancellationToken.None);
        return new ManifestRef(manifest.DatasetManifestId, manifest.ObjectKey, manifest.DatasetFingerprint);
    }
}
