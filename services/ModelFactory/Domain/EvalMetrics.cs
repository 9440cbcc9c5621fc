namespace ModelFactory.Domain;

/// <summary>One reliability bin: predictions in [lower, upper) (the last bin includes 1), their mean and the observed positive rate.</summary>
public sealed record CalibrationBin(double Lower, double Upper, long Count, double MeanPredicted, double ObservedRate);

/// <summary>Reliability bins and the expected calibration error ECE = Σ (n_b / N) × |mean_predicted_b − observed_rate_b|.</summary>
public sealed record Calibration(int BinCount, double ExpectedCalibrationError, double BrierScore, IReadOnlyList<CalibrationBin> Bins);

/// <summary>The metrics of an EvalReport (CONTRACTS §7), computed on the eval rows only.</summary>
public sealed record EvalMetrics(
    long Rows,
    long Positives,
    double BaseRate,
    double AucRoc,
    double PrAuc,
    int K,
    double PrecisionAtK,
    double RecallAtK,
    double LogLoss,
    Calibration Calibration);

/// <summary>
/// Ranking and probability metrics, computed here rather than by ML.NET so the definitions are ours, documented and
/// deterministic (one pass over sorted scores, no sampling). Scores are probabilities in [0, 1].
/// </summary>
public static class Metrics
{
    /// <summary>Probabilities are clipped to [ε, 1 − ε] for log loss, so one confident miss costs a bounded ln(1/ε).</summary>
    public const double LogLossEpsilon = 1e-15;

    public static EvalMetrics Compute(IReadOnlyList<bool> labels, IReadOnlyList<double> scores, int k, int calibrationBins)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        var positives = labels.LongCount(l => l);
        return new EvalMetrics(
            labels.Count,
            positives,
            labels.Count == 0 ? 0 : (double)positives / labels.Count,
            AucRoc(labels, scores),
            AveragePrecision(labels, scores),
            k,
            PrecisionAtK(labels, scores, k),
            RecallAtK(labels, scores, k),
            LogLoss(labels, scores),
            Calibrate(labels, scores, calibrationBins));
    }

    /// <summary>
    /// Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive scores above a
    /// random negative, ties counting one half (average ranks). Needs at least one positive and one negative.
    /// </summary>
    public static double AucRoc(IReadOnlyList<bool> labels, IReadOnlyList<double> scores)
    {
        var (positives, negatives) = CountClasses(labels, scores);
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("AUC-ROC needs at least one positive and one negative.", nameof(labels));
        }

        var order = Ascending(scores);
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            // Ranks are 1-based; a group of ties shares the mean of its ranks.
            var averageRank = ((start + 1) + (end + 1)) / 2.0;
            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    positiveRankSum += averageRank;
                }
            }

            start = end + 1;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>
    /// PR-AUC as average precision: Σ over distinct score thresholds t (descending) of (R(t) − R(t_prev)) × P(t), where
    /// P and R are the precision and recall of "score ≥ t". Tied scores enter together. Needs at least one positive.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<bool> labels, IReadOnlyList<double> scores)
    {
        var (positives, _) = CountClasses(labels, scores);
        if (positives == 0)
        {
            throw new ArgumentException("PR-AUC needs at least one positive.", nameof(labels));
        }

        var order = Descending(scores);
        long truePositives = 0;
        double previousRecall = 0;
        double sum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    truePositives++;
                }
            }

            var recall = (double)truePositives / positives;
            var precision = (double)truePositives / (end + 1);
            sum += (recall - previousRecall) * precision;
            previousRecall = recall;
            start = end + 1;
        }

        return sum;
    }

    /// <summary>Precision of the k highest scores (ties at the cut broken by row order, lowest index first).</summary>
    public static double PrecisionAtK(IReadOnlyList<bool> labels, IReadOnlyList<double> scores, int k)
    {
        var take = TopK(scores, k);
        return take.Length == 0 ? 0 : (double)take.Count(i => labels[i]) / take.Length;
    }

    /// <summary>Share of all positives found among the k highest scores.</summary>
    public static double RecallAtK(IReadOnlyList<bool> labels, IReadOnlyList<double> scores, int k)
    {
        var (positives, _) = CountClasses(labels, scores);
        return positives == 0 ? 0 : (double)TopK(scores, k).Count(i => labels[i]) / positives;
    }

    /// <summary>Mean of −[y ln p + (1 − y) ln(1 − p)] with p clipped to [ε, 1 − ε].</summary>
    public static double LogLoss(IReadOnlyList<bool> labels, IReadOnlyList<double> scores)
    {
        CountClasses(labels, scores);
        if (labels.Count == 0)
        {
            throw new ArgumentException("Log loss needs at least one row.", nameof(labels));
        }

        double sum = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var p = Math.Clamp(scores[i], LogLossEpsilon, 1 - LogLossEpsilon);
            sum -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }

        return sum / labels.Count;
    }

    /// <summary>Equal-width reliability bins over [0, 1]; empty bins are listed with zero count and weigh nothing.</summary>
    public static Calibration Calibrate(IReadOnlyList<bool> labels, IReadOnlyList<double> scores, int binCount)
    {
        CountClasses(labels, scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(binCount, 1);
        var counts = new long[binCount];
        var scoreSums = new double[binCount];
        var positives = new long[binCount];
        double brier = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var bin = Math.Min((int)(scores[i] * binCount), binCount - 1);
            counts[bin]++;
            scoreSums[bin] += scores[i];
            var y = labels[i] ? 1.0 : 0.0;
            positives[bin] += labels[i] ? 1 : 0;
            brier += (scores[i] - y) * (scores[i] - y);
        }

        var bins = new List<CalibrationBin>(binCount);
        double ece = 0;
        for (var b = 0; b < binCount; b++)
        {
            var mean = counts[b] == 0 ? 0 : scoreSums[b] / counts[b];
            var observed = counts[b] == 0 ? 0 : (double)positives[b] / counts[b];
            bins.Add(new CalibrationBin((double)b / binCount, (double)(b + 1) / binCount, counts[b], mean, observed));
            if (labels.Count > 0)
            {
                ece += (double)counts[b] / labels.Count * Math.Abs(mean - observed);
            }
        }

        return new Calibration(binCount, ece, labels.Count == 0 ? 0 : brier / labels.Count, bins);
    }

    private static (long Positives, long Negatives) CountClasses(IReadOnlyList<bool> labels, IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckScores(scores);
        if (labels.Count != scores.Count)
        {
            throw new ArgumentException("Labels and scores must have the same length.", nameof(scores));
        }

        var positives = labels.LongCount(l => l);
        return (positives, labels.Count - positives);
    }

    private static void CheckScores(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Any(s => !(s >= 0 && s <= 1)))
        {
            throw new ArgumentOutOfRangeException(nameof(scores), "Scores must be probabilities in [0, 1].");
        }
    }

    private static int[] Ascending(IReadOnlyList<double> scores) =>
        [.. Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ThenBy(i => i)];

    private static int[] Descending(IReadOnlyList<double> scores) =>
        [.. Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i)];

    private static int[] TopK(IReadOnlyList<double> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        CheckScores(scores);
        return Descending(scores)[..Math.Min(k, scores.Count)];
    }
}
