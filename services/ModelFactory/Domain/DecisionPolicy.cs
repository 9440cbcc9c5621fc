namespace ModelFactory.Domain;

/// <summary>
/// The bundle's decision thresholds over the calibrated probability p: p ≥ <see cref="DeclineAt"/> → DECLINE,
/// p ≥ <see cref="StepUpAt"/> → STEP_UP, otherwise APPROVE. Chosen on the eval rows by <see cref="Rule"/>; the
/// precision and recall they reached there are recorded next to the targets.
/// </summary>
/// <param name="DeclineAt">Null when no threshold reaches the precision target: the model then never declines.</param>
public sealed record DecisionPolicy(
    string ScoreKind,
    string Rule,
    double StepUpAt,
    double? DeclineAt,
    double StepUpRecallTarget,
    double DeclinePrecisionTarget,
    double StepUpRecall,
    double StepUpPrecision,
    double? DeclineRecall,
    double? DeclinePrecision)
{
    public const string CalibratedProbability = "calibrated_probability";

    public const string RuleV1 =
        "thresholds.v1: over distinct eval scores t, with P(t) and R(t) the precision and recall of score >= t: "
        + "decline_at = the lowest t with P(t) >= decline_precision_target (none: no DECLINE); "
        + "step_up_at = the highest t with R(t) >= step_up_recall_target, capped at decline_at";

    public static DecisionPolicy Choose(IReadOnlyList<bool> labels, IReadOnlyList<double> scores, double declinePrecisionTarget, double stepUpRecallTarget)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        var positives = labels.Count(l => l);
        if (positives == 0 || labels.Count != scores.Count)
        {
            throw new ArgumentException("Thresholds need matching labels and scores with at least one positive.", nameof(labels));
        }

        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var curve = new List<(double Threshold, double Precision, double Recall)>();
        var truePositives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            for (var i = start; i <= end; i++)
            {
                truePositives += labels[order[i]] ? 1 : 0;
            }

            curve.Add((scores[order[start]], (double)truePositives / (end + 1), (double)truePositives / positives));
            start = end + 1;
        }

        // The curve runs from the highest threshold down: the last point reaching the precision target is the lowest
        // such threshold, the first point reaching the recall target the highest such threshold (recall only grows).
        var decline = curve.FindLastIndex(p => p.Precision >= declinePrecisionTarget);
        var stepUp = curve.FindIndex(p => p.Recall >= stepUpRecallTarget);
        if (decline >= 0 && stepUp < decline)
        {
            stepUp = decline;
        }

        return new DecisionPolicy(
            CalibratedProbability,
            RuleV1,
            curve[stepUp].Threshold,
            decline >= 0 ? curve[decline].Threshold : null,
            stepUpRecallTarget,
            declinePrecisionTarget,
            curve[stepUp].Recall,
            curve[stepUp].Precision,
            decline >= 0 ? curve[decline].Recall : null,
            decline >= 0 ? curve[decline].Precision : null);
    }
}
