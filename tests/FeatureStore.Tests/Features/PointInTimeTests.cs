using Platform.Features;

namespace FeatureStore.Tests.Features;

/// <summary>Window boundaries and leakage: a transaction's features never see itself, an event at its instant, or anything later.</summary>
public sealed class PointInTimeTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly FeatureSetDefinition Set = FraudCore.V1;

    private static FeatureEvent Txn(string id, DateTimeOffset ts, long amountMinor = 1000, string account = "acct-1", string merchant = "merch-1", string device = "dev-1") =>
        new(id, ts, account, merchant, "card-" + account, device, amountMinor);

    private static double? Value(FeatureVector vector, string name) => vector.Values[Set.IndexOf(name)];

    [Fact]
    public void The_first_transaction_of_an_entity_sees_empty_windows_and_only_its_own_amount()
    {
        var vector = new FeatureEngine(Set).Observe(Txn("first", T, 4250));

        Assert.Equal(42.5, Value(vector, "txn_amount"));
        Assert.Equal(0, Value(vector, "acct_txn_count_7d"));
        Assert.Equal(0, Value(vector, "merch_amount_sum_7d"));
        Assert.Null(Value(vector, "acct_amount_mean_1h"));
        Assert.Null(Value(vector, "acct_seconds_since_last_txn_7d"));
        Assert.Equal(0, Value(vector, "card_txn_count_24h"));
    }

    [Fact]
    public void A_window_holds_events_strictly_after_its_start_and_strictly_before_the_transaction()
    {
        var engine = new FeatureEngine(Set);
        engine.Apply(Txn("exactly-1h-before", T - TimeSpan.FromHours(1), 100));
        engine.Apply(Txn("just-inside-1h", T - TimeSpan.FromHours(1) + TimeSpan.FromTicks(10), 200));
        engine.Apply(Txn("exactly-24h-before", T - TimeSpan.FromHours(24), 400));
        engine.Apply(Txn("exactly-7d-before", T - TimeSpan.FromDays(7), 800));
        engine.Apply(Txn("just-inside-7d", T - TimeSpan.FromDays(7) + TimeSpan.FromTicks(10), 1600));

        var vector = engine.Compute(Txn("scored", T));

        Assert.Equal(1, Value(vector, "acct_txn_count_1h"));
        Assert.Equal(2.0, Value(vector, "acct_amount_sum_1h"));
        // 24 h: just-inside-1h and exactly-1h-before (the 24 h start itself is excluded).
        Assert.Equal(2, Value(vector, "acct_txn_count_24h"));
        Assert.Equal(3.0, Value(vector, "acct_amount_sum_24h"));
        Assert.Equal(1.5, Value(vector, "acct_amount_mean_24h"));
        // 7 d: everything but the event exactly 7 d before.
        Assert.Equal(4, Value(vector, "acct_txn_count_7d"));
        Assert.Equal(23.0, Value(vector, "acct_amount_sum_7d"));
        Assert.Equal((TimeSpan.FromHours(1) - TimeSpan.FromTicks(10)).TotalSeconds, Value(vector, "acct_seconds_since_last_txn_7d"));
    }

    [Fact]
    public void An_event_at_the_same_instant_never_counts_whichever_was_applied_first()
    {
        var engine = new FeatureEngine(Set);
        engine.Apply(Txn("earlier", T - TimeSpan.FromMinutes(10), 500));
        // A tie (another event at T) that reached the state first, in either event_id order.
        engine.Apply(Txn("aaa-tie", T, 9900, device: "dev-tie"));
        engine.Apply(Txn("zzz-tie", T, 9900, device: "dev-tie-2"));

        var vector = engine.Observe(Txn("mmm-scored", T, 700));

        Assert.Equal(1, Value(vector, "acct_txn_count_1h"));
        Assert.Equal(5.0, Value(vector, "acct_amount_sum_1h"));
        Assert.Equal(1, Value(vector, "acct_distinct_devices_24h"));
        Assert.Equal(600.0, Value(vector, "acct_seconds_since_last_txn_7d"));
    }

    [Fact]
    public void Later_events_already_in_the_state_never_leak_into_an_earlier_transaction()
    {
        var withFuture = new FeatureEngine(Set);
        var without = new FeatureEngine(Set);
        var past = Txn("past", T - TimeSpan.FromMinutes(30), 1200);
        withFuture.Apply(past);
        without.Apply(past);
        // Future events on the same account, merchant, card and a new device.
        withFuture.Apply(Txn("future-1", T + TimeSpan.FromTicks(1), 99_999, device: "dev-future"));
        withFuture.Apply(Txn("future-2", T + TimeSpan.FromDays(1), 99_999, device: "dev-future-2"));

        var scored = Txn("scored", T, 300);
        var leaked = withFuture.Compute(scored);
        var clean = without.Compute(scored);

        Assert.Equal(clean.Values, leaked.Values);
        Assert.Equal(1, Value(leaked, "merch_txn_count_1h"));
    }

    [Fact]
    public void Observing_the_same_transaction_twice_does_not_count_it_against_itself()
    {
        var engine = new FeatureEngine(Set);
        var transaction = Txn("once", T, 1000);
        var first = engine.Observe(transaction);
        var again = engine.Observe(transaction);

        Assert.Equal(first.Values, again.Values);
        Assert.Equal(0, Value(again, "acct_txn_count_7d"));
    }

    [Fact]
    public void Every_feature_matches_the_brute_force_definition_on_a_generated_stream()
    {
        var stream = GeneratedStream.Create(1500, seed: 11);
        var rows = OfflineReplay.Run(Set, stream);

        Assert.Equal(stream.Count, rows.Count);
        foreach (var (transaction, features) in rows)
        {
            var expected = GeneratedStream.Reference(Set, stream, transaction);
            Assert.True(expected.SequenceEqual(features.Values), $"{transaction.EventId}: [{string.Join(", ", features.Values)}] != [{string.Join(", ", expected)}]");
        }

        // The stream is dense enough that the windows and ties are really exercised.
        Assert.Contains(rows, r => r.Features.Values[Set.IndexOf("acct_txn_count_1h")] >= 2);
        Assert.Contains(rows, r => r.Features.Values[Set.IndexOf("merch_txn_count_7d")] >= 100);
        Assert.Contains(stream, e => stream.Count(o => o.TsUtc == e.TsUtc && o.AccountId == e.AccountId) >= 2);
    }

    [Fact]
    public void A_long_busy_timeline_that_evicts_and_compacts_still_matches_the_definition()
    {
        // One account, merchant and card over ~3 weeks: far past the 7 d horizon, so old entries are evicted and the
        // timeline compacts many times while new ones keep arriving.
        var random = new Random(41);
        var ts = GeneratedStream.Start;
        var stream = new List<FeatureEvent>();
        for (var i = 0; i < 2500; i++)
        {
            ts = ts.AddTicks(random.NextInt64(0, TimeSpan.FromMinutes(25).Ticks));
            stream.Add(new FeatureEvent($"e{i:D5}", ts, "acct", "merch", "card", $"dev-{random.Next(30)}", random.NextInt64(1, 100_000)));
        }

        Assert.True(stream[^1].TsUtc - stream[0].TsUtc > TimeSpan.FromDays(14));
        var engine = new FeatureEngine(Set);
        var checkedRows = 0;
        foreach (var (transaction, index) in stream.Select((e, i) => (e, i)))
        {
            var vector = engine.Observe(transaction);
            if (index % 5 == 0)
            {
                Assert.Equal(GeneratedStream.Reference(Set, stream, transaction), vector.Values);
                checkedRows++;
            }
        }

        Assert.Equal(500, checkedRows);
        // Only about a week of entries (plus the lateness) is kept.
        Assert.True(engine.TimelineOf(FeatureEntity.Account, "acct")!.Entries.Count < stream.Count / 2);
    }
}
