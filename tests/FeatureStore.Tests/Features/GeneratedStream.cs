using Platform.Features;

namespace FeatureStore.Tests.Features;

/// <summary>
/// A deterministic synthetic transaction stream over ~10 days with few entities (so windows fill up), many
/// timestamp ties and a brute-force reference that computes every feature from the whole stream by definition.
/// </summary>
internal static class GeneratedStream
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static List<FeatureEvent> Create(int count, int seed)
    {
        var random = new Random(seed);
        var events = new List<FeatureEvent>(count);
        var ts = Start;
        for (var i = 0; i < count; i++)
        {
            // A third of the events share the previous timestamp (ties); the rest move on by up to ~12 minutes.
            if (random.Next(3) != 0)
            {
                ts = ts.AddTicks(random.NextInt64(1, TimeSpan.FromMinutes(12).Ticks));
            }

            var account = random.Next(12);
            events.Add(new FeatureEvent(
                EventId: $"evt-{seed}-{i:D6}",
                TsUtc: ts,
                AccountId: $"acct-{account}",
                MerchantId: $"merch-{random.Next(6)}",
                CardId: $"card-{account}-{random.Next(2)}",
                DeviceId: $"dev-{account}-{random.Next(4)}",
                AmountMinor: random.NextInt64(1, 500_000)));
        }

        return events;
    }

    /// <summary>Every feature of <paramref name="transaction"/> straight from the definition, over all of <paramref name="stream"/>.</summary>
    public static double?[] Reference(FeatureSetDefinition definition, IReadOnlyList<FeatureEvent> stream, FeatureEvent transaction)
    {
        var t = transaction.TsUtc;
        var values = new double?[definition.Features.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var feature = definition.Features[i];
            if (feature.Entity == FeatureEntity.Transaction)
            {
                values[i] = transaction.AmountMinor / 100.0;
                continue;
            }

            var inWindow = stream
                .Where(e => SameEntity(feature.Entity, e, transaction) && e.TsUtc > t - feature.Window && e.TsUtc < t)
                .DistinctBy(e => (e.TsUtc, e.EventId))
                .ToList();
            var sum = inWindow.Sum(e => e.AmountMinor);
            values[i] = feature.Aggregate switch
            {
                FeatureAggregate.Count => inWindow.Count,
                FeatureAggregate.Sum => sum / 100.0,
                FeatureAggregate.Mean => inWindow.Count == 0 ? null : sum / 100.0 / inWindow.Count,
                FeatureAggregate.DistinctDevices => inWindow.Select(e => e.DeviceId).Distinct(StringComparer.Ordinal).Count(),
                FeatureAggregate.SecondsSinceLast => inWindow.Count == 0 ? null : (t - inWindow.Max(e => e.TsUtc)).Ticks / (double)TimeSpan.TicksPerSecond,
                _ => throw new InvalidOperationException(feature.Name),
            };
        }

        return values;
    }

    private static bool SameEntity(FeatureEntity entity, FeatureEvent a, FeatureEvent b) => entity switch
    {
        FeatureEntity.Account => a.AccountId == b.AccountId,
        FeatureEntity.Merchant => a.MerchantId == b.MerchantId,
        FeatureEntity.Card => a.CardId == b.CardId,
        _ => false,
    };
}
