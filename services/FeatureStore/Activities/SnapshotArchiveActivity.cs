using System.Text;
using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Workflows;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Activities;

/// <summary>
/// Freezes one replayed range: the archive keys of the run's stream whose names fall in [start_offset, end_offset],
/// written once as a list. A retry that finds a different list (the range changed under the build) fails: a build
/// reads one fixed set of records or none.
/// </summary>
public sealed class SnapshotArchiveActivity(IObjectStore objects) : WorkflowActivity<SnapshotArchiveInput, ArchiveSnapshot>
{
    public override async Task<ArchiveSnapshot> RunAsync(WorkflowActivityContext context, SnapshotArchiveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var stream = PlatformNames.Streams.All.Single(s => s.StreamName == input.Range.Stream);
        var prefix = ArchiveKeys.StreamPrefix(input.PlatformRunId, stream);
        var inRange = (await objects.ListKeysAsync(prefix, CancellationToken.None))
            .Where(key => key.EndsWith(".json", StringComparison.Ordinal))
            .Where(key =>
            {
                var offset = key[prefix.Length..^".json".Length];
                return string.CompareOrdinal(offset, input.Range.StartOffset) >= 0 && string.CompareOrdinal(offset, input.Range.EndOffset) <= 0;
            })
            .ToList();
        var content = Encoding.UTF8.GetBytes(string.Concat(inRange.Select(k => k + "\n")));
        var key = OfsBuildKeys.ArchiveSnapshot(input.PlatformRunId, input.BuildId, stream);
        await objects.CreateIfAbsentAsync(key, content, "text/plain", CancellationToken.None);
        return new ArchiveSnapshot(input.Range, inRange.Count, key, Digests.Sha256Hex(content));
    }
}
