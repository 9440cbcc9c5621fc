using System.Text.Json;
using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Activities;

/// <summary>Freezes the run's label timeline (every assertion, in a canonical order) into one write-once object.</summary>
public sealed class SnapshotLabelsActivity(ILabelTimeline labels, IObjectStore objects) : WorkflowActivity<SnapshotLabelsInput, LabelSnapshot>
{
    public override async Task<LabelSnapshot> RunAsync(WorkflowActivityContext context, SnapshotLabelsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var timeline = (await labels.ReadRunAsync(input.PlatformRunId, CancellationToken.None))
            .OrderBy(l => l.EventId, StringComparer.Ordinal)
            .ThenBy(l => l.LabelType, StringComparer.Ordinal)
            .ThenBy(l => l.ObservedTime)
            .ThenBy(l => l.LabelAssertionId, StringComparer.Ordinal)
            .ToList();
        var content = JsonSerializer.SerializeToUtf8Bytes(timeline, PlatformJson.Options);
        var key = OfsBuildKeys.LabelSnapshot(input.PlatformRunId, input.BuildId);
        await objects.CreateIfAbsentAsync(key, content, "application/json", CancellationToken.None);
        return new LabelSnapshot(timeline.Count, key, Digests.Sha256Hex(content));
    }
}
