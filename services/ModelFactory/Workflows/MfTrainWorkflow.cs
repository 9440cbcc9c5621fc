using Dapr.Workflow;
using ModelFactory.Activities;
using ModelFactory.Domain;

namespace ModelFactory.Workflows;

/// <summary>
/// An MF training job (issue [C] item 6), started by the job endpoint after validation and MF_TRAIN_REQUESTED, with
/// the job id as instance id. Verify the named DatasetManifests (refused: the job ends REFUSED, no COMPLETED fact),
/// train and evaluate, publish the bundle on PASS only, then MF_TRAIN_COMPLETED. Every effect is an activity, so a
/// replay of the history is deterministic.
/// </summary>
public sealed class MfTrainWorkflow : Workflow<MfTrainRequest, MfTrainResult>
{
    public const string VerifyStage = "verifying_inputs";
    public const string TrainStage = "training";
    public const string PublishStage = "publishing_bundle";
    public const string CompletedStage = "completed";
    private const int Steps = 4;

    /// <summary>Activities touch the object store through the sidecar: a few spaced retries ride out a blip; then the job fails.</summary>
    public static readonly WorkflowTaskOptions ActivityOptions = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    public override async Task<MfTrainResult> RunAsync(WorkflowContext context, MfTrainRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var jobId = context.InstanceId;

        context.SetCustomStatus(new MfTrainProgress(VerifyStage, 0, Steps));
        var check = await context.CallActivityAsync<ManifestCheck>(nameof(VerifyManifestsActivity), input, ActivityOptions);
        if (check.Problem is not null)
        {
            context.SetCustomStatus(new MfTrainProgress(CompletedStage, Steps, Steps));
            return new MfTrainResult(jobId, MfTrainResult.Refused, null, null, check.Problem);
        }

        context.SetCustomStatus(new MfTrainProgress(TrainStage, 1, Steps));
        var trained = await context.CallActivityAsync<TrainOutput>(
            nameof(TrainAndEvaluateActivity), new TrainInput(jobId, input, check.Manifests), ActivityOptions);

        BundleRef? bundle = null;
        if (trained is { GateDecision: GateDecision.Pass, Bundle: { } manifest, BundleId: { } bundleId })
        {
            context.SetCustomStatus(new MfTrainProgress(PublishStage, 2, Steps));
            bundle = await context.CallActivityAsync<BundleRef>(
                nameof(PublishBundleActivity),
                new PublishBundleInput(jobId, input.PlatformRunId, input.TargetScopeKey, manifest, bundleId, context.CurrentUtcDateTime),
                ActivityOptions);
        }

        await context.CallActivityAsync(
            nameof(EmitTrainCompletedActivity), new TrainCompletedInput(jobId, input, trained, bundle, context.CurrentUtcDateTime), ActivityOptions);
        context.SetCustomStatus(new MfTrainProgress(CompletedStage, Steps, Steps));
        return new MfTrainResult(jobId, trained.GateDecision == GateDecision.Pass ? "PASS" : "FAIL", trained.EvalReport, bundle, null);
    }
}
