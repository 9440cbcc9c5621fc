using ModelFactory.Domain;
using Platform.Features;

namespace ModelFactory.Tests;

/// <summary>
/// Seeded synthetic datasets over <c>fraud_core</c> v1. In <see cref="WithSignal"/> fraud odds rise with the amount,
/// the account's recent velocity and device count, and a short gap since the last transaction; the other features are
/// noise. The generator is ours and fixed, so a given seed always yields the same rows.
/// </summary>
internal static class Synthetic
{
    public static FeatureSetDefinition FeatureSet => FraudCore.V1;

    /// <summary>A row whose features are all zero (for tests about ids, times and labels only).</summary>
    public static TrainingRow Row(string eventId, long tsUtcMicros, bool label) =>
        new(eventId, tsUtcMicros, label, new float[FeatureSet.Features.Count]);

    public static TrainingDataset Dataset(IReadOnlyCollection<TrainingRow> rows) => TrainingDataset.Create(FeatureSet, rows);

    public static TrainingDataset WithSignal(int rows, int seed) => Dataset(Rows(rows, seed));

    /// <summary>The same rows with the labels permuted by a seeded shuffle: the features no longer say anything.</summary>
    public static TrainingDataset WithShuffledLabels(int rows, int seed)
    {
        var original = Rows(rows, seed);
        var labels = original.Select(r => r.Label).ToArray();
        new Random(seed + 1).Shuffle(labels);
        return Dataset([.. original.Select((r, i) => r with { Label = labels[i] })]);
    }

    public static List<TrainingRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var features = FeatureSet.Features;
        var rows = new List<TrainingRow>(count);
        var ts = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000;
        for (var i = 0; i < count; i++)
        {
            ts += random.Next(1, 60_000_000);
            var vector = new float[features.Count];
            for (var f = 0; f < features.Count; f++)
            {
                vector[f] = features[f].Type == FeatureValueType.Int64 ? random.Next(0, 20) : (float)(random.NextDouble() * 500);
            }

            var amount = (float)Math.Exp(3 + (1.2 * Gaussian(random)));
            var velocity = random.Next(0, 12);
            var devices = random.Next(1, 6);
            var sinceLast = random.NextDouble() < 0.1 ? float.NaN : (float)(random.NextDouble() * 86_400);
            vector[FeatureSet.IndexOf("txn_amount")] = amount;
            vector[FeatureSet.IndexOf("acct_txn_count_1h")] = velocity;
            vector[FeatureSet.IndexOf("acct_distinct_devices_24h")] = devices;
            vector[FeatureSet.IndexOf("acct_seconds_since_last_txn_7d")] = sinceLast;

            var z = -5.0 + (0.9 * Math.Log(amount / 20.0)) + (0.35 * velocity) + (0.6 * (devices - 1))
                + (float.IsNaN(sinceLast) ? 0 : sinceLast < 600 ? 1.0 : 0);
            var label = random.NextDouble() < 1 / (1 + Math.Exp(-z));
            rows.Add(new TrainingRow($"evt_{seed}_{i:D7}", ts, label, vector));
        }

        return rows;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
