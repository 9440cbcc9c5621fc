using Dapr.Workflow;
using ModelFactory.Domain;
using ModelFactory.Workflows;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;

namespace ModelFactory.Activities;

/// <summary>
/// Writes the bundle manifest write-once at its content address and records BUNDLE_PUBLISHED. The manifest is
/// re-hashed first: what is stored under a bundle_id is exactly what hashes to it.
/// </summary>
public sealed class PublishBundleActivity(IObjectStore store, GovernanceFactEmitter facts, PlatformRuntime runtime) : WorkflowActivity<PublishBundleInput, BundleRef>
{
    public override async Task<BundleRef> RunAsync(WorkflowActivityContext context, PublishBundleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var json = CanonicalJson.Serialize(input.Bundle);
        if (Digests.Sha256Hex(json) != input.BundleId)
        {
            throw new InvalidOperationException($"The bundle manifest does not hash to {input.BundleId}.");
        }

        var key = MfKeys.Bundle(input.PlatformRunId, input.BundleId);
        await store.CreateIfAbsentAsync(key, json, TrainAndEvaluateActivity.JsonContentType, CancellationToken.None);
        var bundle = new BundleRef(input.BundleId, input.Bundle.BundleVersion, key);
        await facts.EmitAsync(
            GovernanceFact.Create(
                GovernanceFactType.BundlePublished,
                GovernanceActor.ForService(runtime),
                new GovernancePins(input.PlatformRunId),
                runtime.ProvenanceFor(runConfigDigest: null),
                dedupeDetail: input.BundleId,
                details: new
                {
                    job_id = input.JobId,
                    bundle_id = input.BundleId,
                    bundle_version = input.Bundle.BundleVersion,
                    bundle_ref = key,
                    target_scope_key = input.TargetScopeKey.ToString(),
                    eval_report_ref = input.Bundle.Evidence.EvalReportRef,
                    dataset_manifest_refs = input.Bundle.Evidence.DatasetManifestRefs,
                },
                input.PublishedAtUtc),
            CancellationToken.None);
        return bundle;
    }
}
