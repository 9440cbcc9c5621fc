namespace Platformctl.Produce.Generation;

/// <summary>Draws items in proportion to their weights (cumulative sums and a binary search).</summary>
public sealed class WeightedTable<T>
{
    private readonly T[] items;
    private readonly double[] cumulative;

    public WeightedTable(IEnumerable<(T Item, double Weight)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.Where(e => e.Weight > 0).ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A weighted table needs at least one entry with a positive weight.", nameof(entries));
        }

        items = list.Select(e => e.Item).ToArray();
        cumulative = new double[list.Count];
        var total = 0.0;
        for (var i = 0; i < list.Count; i++)
        {
            total += list[i].Weight;
            cumulative[i] = total;
        }
    }

    public int Count => items.Length;

    public T Sample(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var target = random.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, target);
        // BinarySearch returns the complement of the first larger element when there is no exact match.
        index = index < 0 ? ~index : index + 1;
        return items[Math.Min(index, items.Length - 1)];
    }
}

public static class WeightedTable
{
    /// <summary>Zipf-like popularity: the first items are drawn far more often than the last (rank^-exponent).</summary>
    public static WeightedTable<T> ByRank<T>(IReadOnlyList<T> ranked, double exponent) =>
        new(ranked.Select((item, rank) => (item, Math.Pow(rank + 1, -exponent))));
}
