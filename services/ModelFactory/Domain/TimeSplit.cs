using Platform.Substrate.Pinning;

namespace ModelFactory.Domain;

/// <summary>What a time-based split did, recorded in the EvalReport so the split can be reproduced and audited.</summary>
/// <param name="SplitTsUtc">The first eval instant: every train row is strictly earlier, every eval row at or after.</param>
public sealed record SplitRecord(double TrainFraction, string SplitTsUtc, long TrainRows, long TrainPositives, long EvalRows, long EvalPositives);

/// <summary>
/// Train on the past, evaluate on the future: rows ordered by (event time, event_id); the split instant is the event
/// time of the row at position floor(n × train_fraction), and all rows at that instant or later are eval rows, so rows
/// sharing a timestamp never straddle the split (no leakage through ties) and the outcome does not depend on input order.
/// </summary>
public static class TimeSplit
{
    public static (TrainingDataset Train, TrainingDataset Eval, SplitRecord Record) Split(TrainingDataset dataset, double trainFraction)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(trainFraction > 0 && trainFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "The train fraction must be strictly between 0 and 1.");
        }

        var order = Enumerable.Range(0, dataset.Count)
            .OrderBy(dataset.TsUtcMicros)
            .ThenBy(dataset.EventId, StringComparer.Ordinal)
            .ToList();
        if (order.Count < 2)
        {
            throw new ArgumentException("A split needs at least two rows.", nameof(dataset));
        }

        var splitTs = dataset.TsUtcMicros(order[(int)Math.Floor(order.Count * trainFraction)]);
        var trainCount = order.FindIndex(i => dataset.TsUtcMicros(i) >= splitTs);
        if (trainCount == 0)
        {
            throw new ArgumentException("Every row shares the split instant: no earlier rows to train on.", nameof(dataset));
        }

        var train = dataset.Select(order[..trainCount]);
        var eval = dataset.Select(order[trainCount..]);
        var record = new SplitRecord(
            trainFraction,
            UtcTimestamp.Format(DateTimeOffset.UnixEpoch.AddTicks(splitTs * 10)),
            train.Count,
            train.Positives,
            eval.Count,
            eval.Positives);
        return (train, eval, record);
    }
}
