namespace ModelFactory.Domain;

/// <summary>
/// Everything that shapes a training run besides the data; its digest (<c>training_config_digest</c>) is recorded in
/// the EvalReport and the bundle, so the same data and the same config give the same model.
/// </summary>
/// <param name="TrainFraction">Share of rows, earliest first, used for training (see <see cref="TimeSplit"/>).</param>
/// <param name="Seed">ML.NET's seed; training is also single-threaded, so it is fully deterministic.</param>
/// <param name="K">The k of precision@k and recall@k on the eval rows.</param>
/// <param name="DeclinePrecisionTarget">DECLINE threshold: the lowest score whose "score ≥ t" precision reaches this.</param>
/// <param name="StepUpRecallTarget">STEP_UP threshold: the highest score whose "score ≥ t" recall reaches this.</param>
public sealed record TrainingConfig(
    double TrainFraction,
    int Seed,
    int NumberOfTrees,
    int NumberOfLeaves,
    int MinimumExampleCountPerLeaf,
    double LearningRate,
    int K,
    int CalibrationBins,
    double DeclinePrecisionTarget,
    double StepUpRecallTarget)
{
    public static TrainingConfig Default { get; } = new(
        TrainFraction: 0.8,
        Seed: 42,
        NumberOfTrees: 100,
        NumberOfLeaves: 20,
        MinimumExampleCountPerLeaf: 10,
        LearningRate: 0.1,
        K: 100,
        CalibrationBins: 10,
        DeclinePrecisionTarget: 0.9,
        StepUpRecallTarget: 0.8);

    /// <summary>The problems with this config (empty when it is usable).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        Check(TrainFraction > 0 && TrainFraction < 1, "train_fraction must be strictly between 0 and 1");
        Check(NumberOfTrees is >= 1 and <= 5000, "number_of_trees must be in [1, 5000]");
        Check(NumberOfLeaves is >= 2 and <= 1024, "number_of_leaves must be in [2, 1024]");
        Check(MinimumExampleCountPerLeaf >= 1, "minimum_example_count_per_leaf must be at least 1");
        Check(LearningRate > 0 && LearningRate <= 1, "learning_rate must be in (0, 1]");
        Check(K >= 1, "k must be at least 1");
        Check(CalibrationBins is >= 2 and <= 100, "calibration_bins must be in [2, 100]");
        Check(DeclinePrecisionTarget > 0 && DeclinePrecisionTarget <= 1, "decline_precision_target must be in (0, 1]");
        Check(StepUpRecallTarget > 0 && StepUpRecallTarget <= 1, "step_up_recall_target must be in (0, 1]");
        return problems;

        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
    }
}
