using System.Text.Json.Serialization;
using Platform.Features;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>One label assertion as the label timeline holds it (CONTRACTS §10): about an event, observed at a time.</summary>
public sealed record LabelObservation(
    string EventId,
    string LabelType,
    string Value,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
    string LabelAssertionId)
{
    public const string FraudDisposition = "fraud_disposition";
    public const string ChargebackStatus = "chargeback_status";
}

/// <summary>A dataset row: the transaction, its point-in-time features and its label as of label_asof_utc.</summary>
public sealed record DatasetRow(string EventId, DateTimeOffset TsUtc, bool Label, IReadOnlyList<double?> Features);

/// <summary><c>row_counts</c> of a DatasetManifest; every transaction read is in exactly one of rows or a dropped count.</summary>
public sealed record RowCounts(long Total, long Positives, long DroppedMissingContext, long DroppedImmature, long LabelsAfterAsof);

/// <summary>
/// Builds a point-in-time-correct dataset from a run's archived transactions and its label timeline: features come
/// from <see cref="OfflineReplay"/> (only events strictly before each transaction), labels only from assertions
/// observed at or before <see cref="LabelBasis.LabelAsofUtc"/>, resolved by <see cref="LabelBasis.FraudPositiveElseMatureNegativeV0"/>.
/// Rows come out in replay order, so the same inputs always give the same rows.
/// </summary>
public static class PointInTimeDataset
{
    public static (IReadOnlyList<DatasetRow> Rows, RowCounts Counts) Build(
        FeatureSetDefinition featureSet,
        IEnumerable<FeatureEvent> transactions,
        long unreadableTransactions,
        IEnumerable<LabelObservation> labels,
        LabelBasis basis)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(basis);
        var known = labels.ToList();
        var visible = known.Where(l => l.ObservedTime <= basis.LabelAsofUtc).ToList();
        var byEvent = visible
            .GroupBy(l => l.EventId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, Resolve, StringComparer.Ordinal);
        var matureBefore = basis.LabelAsofUtc - TimeSpan.FromDays(basis.MaturityDays);

        var rows = new List<DatasetRow>();
        long immature = 0;
        foreach (var (transaction, features) in OfflineReplay.Run(featureSet, transactions))
        {
            bool? label = byEvent.TryGetValue(transaction.EventId, out var decided) ? decided : null;
            label ??= transaction.TsUtc <= matureBefore ? false : null;
            if (label is null)
            {
                immature++;
                continue;
            }

            rows.Add(new DatasetRow(transaction.EventId, transaction.TsUtc, label.Value, features.Values));
        }

        var counts = new RowCounts(rows.Count, rows.Count(r => r.Label), unreadableTransactions, immature, known.Count - visible.Count);
        return (rows, counts);
    }

    // The latest assertion of each label type decides (ties by assertion id); null when none decides.
    private static bool? Resolve(IEnumerable<LabelObservation> observations)
    {
        var latest = observations
            .GroupBy(l => l.LabelType, StringComparer.Ordinal)
            .Select(g => g.OrderBy(l => l.ObservedTime).ThenBy(l => l.LabelAssertionId, StringComparer.Ordinal).Last())
            .ToList();
        if (latest.Any(l => l.Value is "FRAUD_CONFIRMED" or "CHARGEBACK"))
        {
            return true;
        }

        return latest.Any(l => l.Value is "LEGIT_CONFIRMED" or "NO_CHARGEBACK") ? false : null;
    }
}
