using Dapr.Workflow;
using ModelFactory.Workflows;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;

namespace ModelFactory.Activities;

/// <summary>MF_TRAIN_COMPLETED with the gate decision and the evidence and bundle refs; the fact id comes from the job id, so a retry writes the same fact.</summary>
public sealed class EmitTrainCompletedActivity(GovernanceFactEmitter facts, PlatformRuntime runtime) : WorkflowActivity<TrainCompletedInput, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, TrainCompletedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fact = GovernanceFact.Create(
            GovernanceFactType.MfTrainCompleted,
            GovernanceActor.ForService(runtime),
            new GovernancePins(input.Request.PlatformRunId),
            runtime.ProvenanceFor(runConfigDigest: null),
            dedupeDetail: input.JobId,
            details: new
            {
                job_id = input.JobId,
                gate_decision = input.Output.GateDecision,
                eval_report_ref = input.Output.EvalReport,
                model_sha256 = input.Output.ModelSha256,
                bundle = input.Bundle,
                dataset_manifest_refs = input.Request.DatasetManifestRefs,
                target_scope_key = input.Request.TargetScopeKey.ToString(),
            },
            input.CompletedAtUtc);
        return (await facts.EmitAsync(fact, CancellationToken.None)).FactId;
    }
}
