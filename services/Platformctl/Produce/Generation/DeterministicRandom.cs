using System.Globalization;
using Platform.Substrate.Pinning;

namespace Platformctl.Produce.Generation;

/// <summary>
/// xoshiro256** seeded from <c>H({scenario_run_id, stream, index})</c>. System.Random's seeded sequence is not a
/// documented contract, so the generator carries its own: the same scenario and stream name give the same numbers on
/// every run, and each stream (legit traffic, one campaign instance, labels...) is independent of the others, so a
/// change in one part of the model does not reshuffle the rest.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    private DeterministicRandom(string digestHex)
    {
        s0 = Word(digestHex, 0);
        s1 = Word(digestHex, 1);
        s2 = Word(digestHex, 2);
        s3 = Word(digestHex, 3);
        if ((s0 | s1 | s2 | s3) == 0)
        {
            // The all-zero state is the one state xoshiro never leaves.
            s0 = 1;
        }
    }

    public static DeterministicRandom Create(string scenarioRunId, string stream, long index = 0) =>
        new(Digests.Of(new StreamKey(scenarioRunId, stream, index)));

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        var bound = (ulong)maxExclusive;
        var threshold = (0 - bound) % bound;
        while (true)
        {
            var value = NextUInt64();
            if (value >= threshold)
            {
                return (int)(value % bound);
            }
        }
    }

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    public int Between(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Standard normal by Box-Muller (one value per call; simplicity over speed).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Log-normal with the given median: heavy right tail, the shape of card amounts and activity.</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>A fresh 64-bit identifier in hex, unique within a scenario with overwhelming probability.</summary>
    public string NextHexId() => NextUInt64().ToString("x16", CultureInfo.InvariantCulture);

    private static ulong Word(string hex, int index) =>
        ulong.Parse(hex.AsSpan(index * 16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private sealed record StreamKey(string ScenarioRunId, string Stream, long Index);
}
