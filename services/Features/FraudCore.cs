namespace Platform.Features;

/// <summary>
/// <c>fraud_core</c> v1: per account, merchant and card, counts, sums and means of earlier transaction amounts over
/// 1 h / 24 h / 7 d, distinct devices of the account, time since the account's last transaction, and the
/// transaction's own amount. Amounts are in major currency units, as in the payload (no conversion between currencies).
/// </summary>
public static class FraudCore
{
    public const string FeatureSetId = "fraud_core";
    public const string FeatureSetVersionV1 = "v1";

    private static readonly (string Suffix, TimeSpan Window)[] Windows =
    [
        ("1h", TimeSpan.FromHours(1)),
        ("24h", TimeSpan.FromHours(24)),
        ("7d", TimeSpan.FromDays(7)),
    ];

    public static FeatureSetDefinition V1 { get; } = new(FeatureSetId, FeatureSetVersionV1, BuildV1(), allowedLateness: TimeSpan.FromMinutes(5));

    private static List<FeatureSpec> BuildV1()
    {
        var features = new List<FeatureSpec> { new("txn_amount", FeatureValueType.Float64, FeatureEntity.Transaction, FeatureAggregate.Amount, TimeSpan.Zero) };
        foreach (var (entity, prefix) in new[] { (FeatureEntity.Account, "acct"), (FeatureEntity.Merchant, "merch") })
        {
            foreach (var (suffix, window) in Windows)
            {
                features.Add(new($"{prefix}_txn_count_{suffix}", FeatureValueType.Int64, entity, FeatureAggregate.Count, window));
                features.Add(new($"{prefix}_amount_sum_{suffix}", FeatureValueType.Float64, entity, FeatureAggregate.Sum, window));
                features.Add(new($"{prefix}_amount_mean_{suffix}", FeatureValueType.Float64, entity, FeatureAggregate.Mean, window));
            }
        }

        features.Add(new("acct_distinct_devices_24h", FeatureValueType.Int64, FeatureEntity.Account, FeatureAggregate.DistinctDevices, TimeSpan.FromHours(24)));
        features.Add(new("acct_distinct_devices_7d", FeatureValueType.Int64, FeatureEntity.Account, FeatureAggregate.DistinctDevices, TimeSpan.FromDays(7)));
        features.Add(new("acct_seconds_since_last_txn_7d", FeatureValueType.Float64, FeatureEntity.Account, FeatureAggregate.SecondsSinceLast, TimeSpan.FromDays(7)));
        features.Add(new("card_txn_count_1h", FeatureValueType.Int64, FeatureEntity.Card, FeatureAggregate.Count, TimeSpan.FromHours(1)));
        features.Add(new("card_txn_count_24h", FeatureValueType.Int64, FeatureEntity.Card, FeatureAggregate.Count, TimeSpan.FromHours(24)));
        return features;
    }
}

/// <summary>Every feature definition set this release implements; a build or a bundle naming another one is refused.</summary>
public static class FeatureSetCatalog
{
    public static IReadOnlyList<FeatureSetDefinition> All { get; } = [FraudCore.V1];

    /// <summary>The set with this id, version and definition digest, or null.</summary>
    public static FeatureSetDefinition? Find(string featureSetId, string featureSetVersion, string definitionDigest) =>
        All.FirstOrDefault(d => d.FeatureSetId == featureSetId && d.FeatureSetVersion == featureSetVersion && d.DefinitionDigest == definitionDigest);
}
