using ModelFactory.Activities;
using ModelFactory.Domain;
using ModelFactory.Tests.Domain;
using ModelFactory.Workflows;
using Platform.Testing.Fakes;

namespace ModelFactory.Tests.Workflows;

/// <summary>MfTrainWorkflow against a mocked WorkflowContext: the activity sequence, its inputs, progress and fail-closed paths.</summary>
public sealed class MfTrainWorkflowTests
{
    private static readonly DateTime Now = new(2026, 11, 28, 2, 0, 0, DateTimeKind.Utc);
    private static readonly EvalReportRef Report = new("er_" + new string('e', 32), "platform_20261128T000000Z/mf/eval_reports/er_" + new string('e', 32) + ".json", new string('f', 64));

    private static FakeWorkflowContext Context(MfTrainRequest request, ManifestCheck check, TrainOutput trained) =>
        new FakeWorkflowContext(nameof(MfTrainWorkflow), request.JobId(), Now)
            .On<MfTrainRequest>(nameof(VerifyManifestsActivity), _ => check)
            .On<TrainInput>(nameof(TrainAndEvaluateActivity), _ => trained)
            .On<PublishBundleInput>(nameof(PublishBundleActivity), i => new BundleRef(i.BundleId, i.Bundle.BundleVersion, "bundles/" + i.BundleId))
            .On<TrainCompletedInput>(nameof(EmitTrainCompletedActivity), i => "fact-" + i.JobId);

    private static ManifestCheck Verified(MfTrainRequest request) =>
        new([.. request.DatasetManifestRefs.Select(r => new VerifiedManifest(r, request.PlatformRunId, new FeatureSetRef("fraud_core", "v1", new string('d', 64)), []))], null);

    [Fact]
    public async Task A_pass_verifies_trains_publishes_then_emits_completed_in_that_order()
    {
        var request = MfTrainRequestTests.Valid();
        var bundle = BundleSample();
        var context = Context(request, Verified(request), new TrainOutput(Report, GateDecision.Pass, new string('m', 64), bundle, "b1"));

        var result = await new MfTrainWorkflow().RunAsync(context, request);

        Assert.Equal(
            [nameof(VerifyManifestsActivity), nameof(TrainAndEvaluateActivity), nameof(PublishBundleActivity), nameof(EmitTrainCompletedActivity)],
            context.Calls.Select(c => c.Name));
        Assert.All(context.Calls, c => Assert.Same(MfTrainWorkflow.ActivityOptions, c.Options));
        var train = (TrainInput)context.Calls[1].Input!;
        Assert.Equal((request.JobId(), request), (train.JobId, train.Request));
        Assert.Equal(request.DatasetManifestRefs, train.Manifests.Select(m => m.Ref));
        var publish = (PublishBundleInput)context.Calls[2].Input!;
        Assert.Equal(("b1", request.TargetScopeKey, new DateTimeOffset(Now)), (publish.BundleId, publish.TargetScopeKey, publish.PublishedAtUtc));
        var completed = (TrainCompletedInput)context.Calls[3].Input!;
        Assert.Equal(new BundleRef("b1", bundle.BundleVersion, "bundles/b1"), completed.Bundle);

        Assert.Equal(new MfTrainResult(request.JobId(), "PASS", Report, new BundleRef("b1", bundle.BundleVersion, "bundles/b1"), null), result);
        Assert.Equal(new MfTrainProgress(MfTrainWorkflow.CompletedStage, 4, 4), context.Statuses[^1]);
        Assert.Equal(
            [MfTrainWorkflow.VerifyStage, MfTrainWorkflow.TrainStage, MfTrainWorkflow.PublishStage, MfTrainWorkflow.CompletedStage],
            context.Statuses.Cast<MfTrainProgress>().Select(s => s.Stage));
    }

    [Fact]
    public async Task A_fail_gate_publishes_nothing_but_still_records_completed_with_the_eval_report()
    {
        var request = MfTrainRequestTests.Valid();
        var context = Context(request, Verified(request), new TrainOutput(Report, GateDecision.Fail, new string('m', 64), null, null));

        var result = await new MfTrainWorkflow().RunAsync(context, request);

        Assert.DoesNotContain(context.Calls, c => c.Name == nameof(PublishBundleActivity));
        Assert.Equal(nameof(EmitTrainCompletedActivity), context.Calls[^1].Name);
        Assert.Null(((TrainCompletedInput)context.Calls[^1].Input!).Bundle);
        Assert.Equal(new MfTrainResult(request.JobId(), "FAIL", Report, null, null), result);
    }

    [Fact]
    public async Task Inputs_that_do_not_verify_end_the_job_refused_before_training_and_without_a_completed_fact()
    {
        var request = MfTrainRequestTests.Valid();
        var context = Context(request, new ManifestCheck([], "DatasetManifest dm_x does not hash to its fingerprint"), null!);

        var result = await new MfTrainWorkflow().RunAsync(context, request);

        Assert.Equal([nameof(VerifyManifestsActivity)], context.Calls.Select(c => c.Name));
        Assert.Equal(MfTrainResult.Refused, result.Outcome);
        Assert.Equal("DatasetManifest dm_x does not hash to its fingerprint", result.Problem);
        Assert.Null(result.EvalReport);
    }

    private static BundleManifest BundleSample() => new(
        BundleManifest.Version,
        "1",
        new BundleModel("m", new string('m', 64), "f", 1),
        new DecisionPolicy(DecisionPolicy.CalibratedProbability, DecisionPolicy.RuleV1, 0.2, 0.9, 0.8, 0.9, 0.8, 0.3, 0.4, 0.9),
        new Compatibility("fraud_core", "v1", new string('d', 64), BundleManifest.InputContractVersion, ["x"]),
        new BundleEvidence(MfTrainRequestTests.Valid().DatasetManifestRefs, Report),
        new MfProvenance("r", null, null, Platform.Substrate.Environments.PlatformEnvironment.LocalParity));
}
