using Dapr.Workflow;
using FeatureStore.Workflows;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;

namespace FeatureStore.Activities;

/// <summary>OFS_BUILD_COMPLETED with the manifest's ref and fingerprint; the fact id comes from the build id, so a retry writes the same fact.</summary>
public sealed class EmitBuildCompletedActivity(GovernanceFactEmitter facts, PlatformRuntime runtime) : WorkflowActivity<BuildCompletedInput, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, BuildCompletedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fact = GovernanceFact.Create(
            GovernanceFactType.OfsBuildCompleted,
            GovernanceActor.ForService(runtime),
            new GovernancePins(input.PlatformRunId),
            runtime.ProvenanceFor(runConfigDigest: null),
            dedupeDetail: input.BuildId,
            details: new
            {
                build_id = input.BuildId,
                dataset_manifest_id = input.Manifest.DatasetManifestId,
                dataset_manifest_ref = input.Manifest.ObjectRef,
                dataset_fingerprint = input.Manifest.DatasetFingerprint,
                row_counts = input.RowCounts,
            },
            input.CompletedAtUtc);
        return (await facts.EmitAsync(fact, CancellationToken.None)).FactId;
    }
}
