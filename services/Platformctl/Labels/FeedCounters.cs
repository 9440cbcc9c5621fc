using Platformctl.Delivery;

namespace Platformctl.Labels;

/// <summary>A consistent-enough view of the feed's counters for progress lines and the summary.</summary>
public sealed record FeedSnapshot(long Total, long Accepted, long Replayed, long Rejected, IReadOnlyDictionary<string, long> Rejections, DeliveryTotals Delivery)
{
    public long Done => Accepted + Replayed + Rejected + Delivery.Refused + Delivery.Lost;
}

/// <summary>
/// What happened to each label: sent (posted at least once), then exactly one of accepted (appended now), replayed
/// (cm had it already), rejected (an ack with a reason code), refused (a non-retryable HTTP answer) or lost (still
/// retryable when the attempts ran out, or cancelled); retries counts re-posts.
/// </summary>
public sealed class FeedCounters(long total) : DeliveryCounters
{
    private readonly Tally rejections = new();
    private long accepted;
    private long replayed;
    private long rejected;

    public void AddAccepted() => Interlocked.Increment(ref accepted);

    public void AddReplayed() => Interlocked.Increment(ref replayed);

    public void AddRejected(string reasonCode)
    {
        Interlocked.Increment(ref rejected);
        rejections.Add(reasonCode);
    }

    public FeedSnapshot Snapshot() =>
        new(total, Interlocked.Read(ref accepted), Interlocked.Read(ref replayed), Interlocked.Read(ref rejected), rejections.Snapshot(), Totals());
}
