using Platform.Features;

namespace FeatureStore.Tests.Features;

/// <summary>Offline replay and online incremental computation agree, and both are deterministic.</summary>
public sealed class ReplayAgreementTests
{
    private static readonly FeatureSetDefinition Set = FraudCore.V1;

    [Fact]
    public void Online_computation_in_arrival_order_equals_the_offline_replay()
    {
        var stream = GeneratedStream.Create(3000, seed: 5);
        var offline = OfflineReplay.Run(Set, stream).ToDictionary(r => r.Event.EventId, r => r.Features);

        // Online: events arrive in time order, but events at the same instant arrive in any order, and some twice
        // (an at-least-once bus).
        var random = new Random(17);
        var arrivals = stream
            .GroupBy(e => e.TsUtc)
            .OrderBy(g => g.Key)
            .SelectMany(g => g.OrderBy(_ => random.Next()).SelectMany(e => random.Next(10) == 0 ? new[] { e, e } : [e]))
            .ToList();
        Assert.True(arrivals.Count > stream.Count);
        var engine = new FeatureEngine(Set);
        var online = new Dictionary<string, FeatureVector>(StringComparer.Ordinal);
        foreach (var transaction in arrivals)
        {
            online.TryAdd(transaction.EventId, engine.Observe(transaction));
        }

        Assert.Equal(offline.Count, online.Count);
        foreach (var (eventId, features) in offline)
        {
            Assert.True(features.SameValues(online[eventId]), eventId);
        }
    }

    [Fact]
    public void Events_arriving_out_of_order_within_the_allowed_lateness_are_counted_exactly()
    {
        var stream = GeneratedStream.Create(1500, seed: 23);
        var random = new Random(3);
        var lateness = Set.AllowedLateness;
        // Each event reaches the state up to the allowed lateness after its time; each transaction is scored once
        // everything before it can have arrived (its time + the lateness). Applies at an instant go before scores.
        var actions = stream
            .Select(e => (At: e.TsUtc + TimeSpan.FromTicks(random.NextInt64(0, lateness.Ticks)), Score: false, Event: e))
            .Concat(stream.Where(_ => random.Next(4) == 0).Select(e => (At: e.TsUtc + lateness, Score: true, Event: e)))
            .OrderBy(a => a.At)
            .ThenBy(a => a.Score)
            .ToList();
        Assert.Contains(actions.Zip(actions.Skip(1)), pair => !pair.First.Score && !pair.Second.Score && pair.First.Event.TsUtc > pair.Second.Event.TsUtc);

        var engine = new FeatureEngine(Set);
        var scored = 0;
        foreach (var (_, score, transaction) in actions)
        {
            if (!score)
            {
                engine.Apply(transaction);
                continue;
            }

            scored++;
            Assert.Equal(GeneratedStream.Reference(Set, stream, transaction), engine.Compute(transaction).Values);
        }

        Assert.True(scored > 100);
    }

    [Fact]
    public void Replays_of_the_same_events_in_any_input_order_are_identical()
    {
        var stream = GeneratedStream.Create(1200, seed: 8);
        var shuffled = stream.OrderBy(_ => Random.Shared.Next()).ToList();

        var a = OfflineReplay.Run(Set, stream);
        var b = OfflineReplay.Run(Set, shuffled);

        Assert.Equal(a.Select(r => r.Event.EventId), b.Select(r => r.Event.EventId));
        Assert.All(a.Zip(b), pair => Assert.True(pair.First.Features.SameValues(pair.Second.Features), pair.First.Event.EventId));
    }

    [Fact]
    public void Equal_timestamps_replay_in_event_id_order()
    {
        var t = GeneratedStream.Start;
        List<FeatureEvent> events = [new("b", t, "acct", "m", "c", "d", 100), new("c", t, "acct", "m", "c", "d", 200), new("a", t, "acct", "m", "c", "d", 300)];

        var order = OfflineReplay.Run(Set, events).Select(r => r.Event.EventId);

        Assert.Equal(["a", "b", "c"], order);
    }
}
