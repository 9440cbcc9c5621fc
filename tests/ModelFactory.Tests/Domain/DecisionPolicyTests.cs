using ModelFactory.Domain;

namespace ModelFactory.Tests.Domain;

public sealed class DecisionPolicyTests
{
    // Ranked: 0.9 +, 0.8 +, 0.7 −, 0.6 +, 0.5 −, 0.4 −. Precision/recall of "score ≥ t":
    // 0.9: 1, 1/3 · 0.8: 1, 2/3 · 0.7: 2/3, 2/3 · 0.6: 3/4, 1 · 0.5: 3/5, 1 · 0.4: 1/2, 1.
    private static readonly bool[] Labels = [true, true, false, true, false, false];
    private static readonly double[] Scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];

    [Fact]
    public void Decline_is_the_lowest_threshold_reaching_the_precision_target_and_step_up_the_highest_reaching_the_recall_target()
    {
        var policy = DecisionPolicy.Choose(Labels, Scores, declinePrecisionTarget: 0.9, stepUpRecallTarget: 0.9);

        Assert.Equal(0.8, policy.DeclineAt);
        Assert.Equal((1.0, 2.0 / 3), (policy.DeclinePrecision!.Value, policy.DeclineRecall!.Value));
        Assert.Equal(0.6, policy.StepUpAt);
        Assert.Equal((1.0, 0.75), (policy.StepUpRecall, policy.StepUpPrecision));
        Assert.Equal(DecisionPolicy.CalibratedProbability, policy.ScoreKind);
    }

    [Fact]
    public void Step_up_is_capped_at_decline_so_the_bands_never_cross()
    {
        // Precision 0.75 is first reached going down at 0.6; recall 1/3 already at 0.9, above decline.
        var policy = DecisionPolicy.Choose(Labels, Scores, declinePrecisionTarget: 0.75, stepUpRecallTarget: 0.3);

        Assert.Equal(0.6, policy.DeclineAt);
        Assert.Equal(0.6, policy.StepUpAt);
    }

    [Fact]
    public void An_unreachable_precision_target_disables_decline()
    {
        var policy = DecisionPolicy.Choose([false, true], [0.9, 0.1], declinePrecisionTarget: 1.0, stepUpRecallTarget: 1.0);

        Assert.Null(policy.DeclineAt);
        Assert.Null(policy.DeclinePrecision);
        Assert.Equal(0.1, policy.StepUpAt);
    }
}
