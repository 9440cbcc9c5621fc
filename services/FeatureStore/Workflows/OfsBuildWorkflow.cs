using Dapr.Workflow;
using FeatureStore.Activities;
using FeatureStore.Domain;

namespace FeatureStore.Workflows;

/// <summary>
/// An OFS dataset build (issue [C] item 5), started by the job endpoint after validation and OFS_BUILD_REQUESTED, with
/// the build id as instance id. Steps: freeze each replayed archive range and the label timeline into snapshot
/// objects (so the rest reads fixed inputs), build the point-in-time dataset, write the immutable DatasetManifest,
/// then OFS_BUILD_COMPLETED. No I/O here: every effect is an activity, so a replay of the history is deterministic.
/// </summary>
public sealed class OfsBuildWorkflow : Workflow<OfsBuildRequest, OfsBuildResult>
{
    public const string SnapshotStage = "snapshotting_inputs";
    public const string BuildStage = "building_dataset";
    public const string ManifestStage = "writing_manifest";
    public const string CompletedStage = "completed";

    /// <summary>Activities touch the object store through the sidecar: a few spaced retries ride out a blip; then the build fails.</summary>
    public static readonly WorkflowTaskOptions ActivityOptions = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    public override async Task<OfsBuildResult> RunAsync(WorkflowContext context, OfsBuildRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var buildId = context.InstanceId;
        // One step per archive range, then labels, dataset, manifest, completion fact.
        var total = input.ReplayBasis.Count + 4;
        var done = 0;

        context.SetCustomStatus(new OfsBuildProgress(SnapshotStage, done, total));
        var archives = new List<ArchiveSnapshot>(input.ReplayBasis.Count);
        foreach (var range in input.ReplayBasis)
        {
            archives.Add(await context.CallActivityAsync<ArchiveSnapshot>(
                nameof(SnapshotArchiveActivity), new SnapshotArchiveInput(buildId, input.PlatformRunId, range), ActivityOptions));
            context.SetCustomStatus(new OfsBuildProgress(SnapshotStage, ++done, total));
        }

        var labels = await context.CallActivityAsync<LabelSnapshot>(
            nameof(SnapshotLabelsActivity), new SnapshotLabelsInput(buildId, input.PlatformRunId), ActivityOptions);
        context.SetCustomStatus(new OfsBuildProgress(BuildStage, ++done, total));

        var dataset = await context.CallActivityAsync<DatasetBuildOutput>(
            nameof(BuildDatasetActivity),
            new BuildDatasetInput(buildId, input.PlatformRunId, archives, labels, input.LabelBasis, input.FeatureDefinitionSet),
            ActivityOptions);
        context.SetCustomStatus(new OfsBuildProgress(ManifestStage, ++done, total));

        var manifest = await context.CallActivityAsync<ManifestRef>(
            nameof(WriteManifestActivity), new WriteManifestInput(input, archives, dataset), ActivityOptions);
        ++done;

        await context.CallActivityAsync(
            nameof(EmitBuildCompletedActivity), new BuildCompletedInput(buildId, input.PlatformRunId, manifest, dataset.RowCounts, context.CurrentUtcDateTime), ActivityOptions);
        context.SetCustomStatus(new OfsBuildProgress(CompletedStage, ++done, total));
        return new OfsBuildResult(buildId, manifest, dataset.RowCounts);
    }
}
