using System.Collections.Concurrent;

namespace Platformctl.Delivery;

/// <summary>A count per reason, safe to add to from several workers; its snapshot is sorted for stable output.</summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public void Add(string reason, long count = 1) => counts.AddOrUpdate(reason, count, (_, n) => n + count);

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(counts, StringComparer.Ordinal);
}

/// <summary>The counts every batch sender keeps, as one consistent-enough snapshot.</summary>
public sealed record DeliveryTotals(long Sent, long Refused, long Lost, long Retries, IReadOnlyDictionary<string, long> Refusals, IReadOnlyDictionary<string, long> Losses)
{
    /// <summary>Nothing was refused and nothing lost.</summary>
    public bool Clean => Refused == 0 && Lost == 0;

    /// <summary>The summary rows of these counts.</summary>
    public IEnumerable<(string Name, string Value)> Rows() =>
        [("refused", Summary.Count(Refused)), ("lost", Summary.Count(Lost)), ("retries", Summary.Count(Retries))];

    /// <summary>Why items were refused and lost, one line each when there were any.</summary>
    public async Task WriteTalliesAsync(TextWriter output)
    {
        await Summary.WriteTallyAsync(output, "refused", Refusals);
        await Summary.WriteTallyAsync(output, "lost", Losses);
    }
}

/// <summary>
/// What every batch sender counts, whatever its endpoint answers on success: sent (posted at least once), refused (a
/// non-retryable HTTP answer), lost (still retryable when the attempts ran out, or cancelled) and retries (re-posts).
/// </summary>
public abstract class DeliveryCounters
{
    private readonly Tally refusals = new();
    private readonly Tally losses = new();
    private long sent;
    private long refused;
    private long lost;
    private long retries;

    public void AddSent(int count) => Interlocked.Add(ref sent, count);

    public void AddRefused(int count, string reason)
    {
        Interlocked.Add(ref refused, count);
        refusals.Add(reason, count);
    }

    public void AddLost(int count, string reason)
    {
        Interlocked.Add(ref lost, count);
        losses.Add(reason, count);
    }

    public void AddRetries(int count) => Interlocked.Add(ref retries, count);

    protected DeliveryTotals Totals() => new(
        Interlocked.Read(ref sent), Interlocked.Read(ref refused), Interlocked.Read(ref lost), Interlocked.Read(ref retries), refusals.Snapshot(), losses.Snapshot());
}
