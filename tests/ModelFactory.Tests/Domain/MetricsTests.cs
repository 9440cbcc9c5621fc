using ModelFactory.Domain;

namespace ModelFactory.Tests.Domain;

/// <summary>Each metric on inputs small enough to compute by hand (the arithmetic is in the comments).</summary>
public sealed class MetricsTests
{
    // Ranked by score: 0.9 (+), 0.8 (−), 0.4 (+), 0.3 (−).
    private static readonly bool[] Labels = [true, false, true, false];
    private static readonly double[] Scores = [0.9, 0.8, 0.4, 0.3];

    [Fact]
    public void Auc_is_the_share_of_positive_negative_pairs_ranked_right()
    {
        // Pairs (+,−): (0.9,0.8) ok, (0.9,0.3) ok, (0.4,0.8) wrong, (0.4,0.3) ok → 3/4.
        Assert.Equal(0.75, Metrics.AucRoc(Labels, Scores), 12);
        Assert.Equal(1.0, Metrics.AucRoc([true, false], [0.7, 0.2]), 12);
        Assert.Equal(0.0, Metrics.AucRoc([true, false], [0.2, 0.7]), 12);
    }

    [Fact]
    public void Auc_counts_ties_as_one_half()
    {
        Assert.Equal(0.5, Metrics.AucRoc([true, false], [0.5, 0.5]), 12);

        // Positives 0.6 and 0.5, negatives 0.5 and 0.1: 1 + 1 + 0.5 + 1 = 3.5 of 4 pairs.
        Assert.Equal(0.875, Metrics.AucRoc([true, true, false, false], [0.6, 0.5, 0.5, 0.1]), 12);
    }

    [Fact]
    public void Pr_auc_is_average_precision_over_the_ranked_list()
    {
        // Recall steps to 1/2 at precision 1 (0.9) and to 1 at precision 2/3 (0.4): 0.5 × 1 + 0.5 × 2/3.
        Assert.Equal(0.5 + (0.5 * 2 / 3), Metrics.AveragePrecision(Labels, Scores), 12);

        // All four tied: one step to recall 1 at precision 2/4.
        Assert.Equal(0.5, Metrics.AveragePrecision(Labels, [0.3, 0.3, 0.3, 0.3]), 12);
    }

    [Fact]
    public void Precision_and_recall_at_k_take_the_k_highest_scores()
    {
        Assert.Equal(1.0, Metrics.PrecisionAtK(Labels, Scores, 1), 12);
        Assert.Equal(0.5, Metrics.RecallAtK(Labels, Scores, 1), 12);
        Assert.Equal(2.0 / 3, Metrics.PrecisionAtK(Labels, Scores, 3), 12);
        Assert.Equal(1.0, Metrics.RecallAtK(Labels, Scores, 3), 12);

        // k beyond the rows takes them all.
        Assert.Equal(0.5, Metrics.PrecisionAtK(Labels, Scores, 10), 12);
    }

    [Fact]
    public void Log_loss_is_the_mean_negative_log_likelihood_with_clipping()
    {
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.6)) / 2, Metrics.LogLoss([true, false], [0.8, 0.4]), 12);

        // A certain miss costs ln(1/ε), not infinity.
        Assert.Equal(-Math.Log(Metrics.LogLossEpsilon), Metrics.LogLoss([true], [0.0]), 6);
    }

    [Fact]
    public void Calibration_bins_predictions_and_weights_their_gaps()
    {
        // Two bins: [0, 0.5) holds 0.1 (−) and 0.2 (+): mean 0.15, observed 0.5; [0.5, 1] holds 0.7 (+) and 0.9 (+):
        // mean 0.8, observed 1. ECE = 2/4 × 0.35 + 2/4 × 0.2 = 0.275; Brier = (0.01 + 0.64 + 0.09 + 0.01) / 4.
        var calibration = Metrics.Calibrate([false, true, true, true], [0.1, 0.2, 0.7, 0.9], 2);

        Assert.Equal(0.275, calibration.ExpectedCalibrationError, 12);
        Assert.Equal(0.1875, calibration.BrierScore, 12);
        Assert.Equal([2L, 2L], calibration.Bins.Select(b => b.Count));
        Assert.Equal(0.15, calibration.Bins[0].MeanPredicted, 12);
        Assert.Equal(1.0, calibration.Bins[1].ObservedRate, 12);
        Assert.Equal((0.5, 1.0), (calibration.Bins[1].Lower, calibration.Bins[1].Upper));
    }

    [Fact]
    public void A_score_of_exactly_one_falls_in_the_last_bin()
    {
        var calibration = Metrics.Calibrate([true], [1.0], 10);
        Assert.Equal(1, calibration.Bins[9].Count);
        Assert.Equal(0.0, calibration.ExpectedCalibrationError, 12);
    }

    [Fact]
    public void Metrics_refuse_inputs_they_cannot_define()
    {
        Assert.Throws<ArgumentException>(() => Metrics.AucRoc([true, true], [0.1, 0.2]));
        Assert.Throws<ArgumentException>(() => Metrics.AveragePrecision([false], [0.1]));
        Assert.Throws<ArgumentException>(() => Metrics.LogLoss([true, false], [0.1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.LogLoss([true], [1.5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.LogLoss([true], [double.NaN]));
    }

    [Fact]
    public void Compute_gathers_every_metric_of_the_eval_rows()
    {
        var metrics = Metrics.Compute(Labels, Scores, k: 2, calibrationBins: 10);

        Assert.Equal((4L, 2L, 0.5), (metrics.Rows, metrics.Positives, metrics.BaseRate));
        Assert.Equal(Metrics.AucRoc(Labels, Scores), metrics.AucRoc);
        Assert.Equal(Metrics.AveragePrecision(Labels, Scores), metrics.PrAuc);
        Assert.Equal((2, 0.5, 0.5), (metrics.K, metrics.PrecisionAtK, metrics.RecallAtK));
        Assert.Equal(Metrics.LogLoss(Labels, Scores), metrics.LogLoss);
        Assert.Equal(10, metrics.Calibration.Bins.Count);
    }
}
