using Platform.Features;

namespace Learning.Benchmark;

/// <summary>A generated transaction and whether it belongs to a fraud burst (the ground truth its label comes from).</summary>
internal sealed record SyntheticTransaction(FeatureEvent Event, bool Fraud);

/// <summary>
/// A deterministic transaction stream for the benchmark over about 30 days: legit traffic as a Poisson process over many accounts, each
/// with a home merchant neighbourhood and two devices, plus rare fraud bursts (an account suddenly spends large
/// amounts at a few risky merchants from a new device within minutes) — a pattern fraud_core's windows can see.
/// Same count and seed, same stream; timestamps are whole microseconds, as the bus carries them.
/// </summary>
internal static class SyntheticTraffic
{
    // Whatever the count, the stream spans about a month: long enough for the 7 d windows and the label maturity.
    private const double SpanSeconds = 30 * 86_400;
    private const double BurstProbability = 0.002;
    private const int RiskyMerchants = 20;

    public static List<SyntheticTransaction> Generate(int count, int seed, DateTimeOffset start)
    {
        var random = new Random(seed);
        var accounts = Math.Max(100, count / 20);
        var merchants = Math.Max(50, count / 500);
        var pending = new PriorityQueue<SyntheticTransaction, (long Ticks, long Order)>();
        var result = new List<SyntheticTransaction>(count);
        var meanGapSeconds = SpanSeconds / count;
        var ts = start;
        long order = 0;
        var bursts = 0;
        while (result.Count < count)
        {
            ts = Micros(ts.AddSeconds(-Math.Log(1 - random.NextDouble()) * meanGapSeconds));
            while (result.Count < count && pending.TryPeek(out var due, out _) && due.Event.TsUtc <= ts)
            {
                result.Add(pending.Dequeue());
            }

            if (result.Count == count)
            {
                break;
            }

            var account = random.Next(accounts);
            result.Add(new SyntheticTransaction(
                new FeatureEvent(
                    $"evt-{result.Count:D8}",
                    ts,
                    $"acct-{account}",
                    $"merch-{RiskyMerchants + ((account * 7) + random.Next(25)) % merchants}",
                    $"card-{account}",
                    $"dev-{account}-{random.Next(2)}",
                    (long)Math.Round(Math.Exp(7 + (random.NextDouble() * 3)))),
                Fraud: false));

            if (random.NextDouble() < BurstProbability)
            {
                var victim = random.Next(accounts);
                var at = ts;
                var size = random.Next(3, 9);
                for (var i = 0; i < size; i++)
                {
                    at = Micros(at.AddSeconds(random.Next(10, 180)));
                    var burstEvent = new FeatureEvent(
                        $"evt-b{bursts:D6}-{i}",
                        at,
                        $"acct-{victim}",
                        $"merch-{random.Next(RiskyMerchants)}",
                        $"card-{victim}",
                        $"dev-burst-{bursts}",
                        random.NextInt64(20_000, 200_000));
                    pending.Enqueue(new SyntheticTransaction(burstEvent, Fraud: true), (at.UtcTicks, order++));
                }

                bursts++;
            }
        }

        return result;
    }

    private static DateTimeOffset Micros(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);
}
