using System.Collections.Concurrent;

namespace Platformctl.Produce.Sending;

/// <summary>A consistent-enough view of the counters for progress lines and the summary.</summary>
public sealed record ProduceSnapshot(
    long Sent,
    long Admitted,
    long Duplicate,
    long Quarantined,
    long Refused,
    long Lost,
    long Retries,
    IReadOnlyDictionary<string, long> QuarantineReasons,
    IReadOnlyDictionary<string, long> Refusals,
    IReadOnlyDictionary<string, long> Losses,
    string? SampleReceiptId);

/// <summary>
/// What happened to the envelopes: sent (submitted at least once), then exactly one of admitted, duplicate,
/// quarantined, refused (a non-retryable answer) or lost (still retryable when the attempts ran out, or cancelled);
/// retries counts re-submissions of an envelope.
/// </summary>
public sealed class ProduceCounters
{
    private readonly ConcurrentDictionary<string, long> quarantineReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> refusals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> losses = new(StringComparer.Ordinal);
    private long sent;
    private long admitted;
    private long duplicate;
    private long quarantined;
    private long refused;
    private long lost;
    private long retries;
    private string? sampleReceiptId;

    public void AddSent(int count) => Interlocked.Add(ref sent, count);

    /// <summary>Counts an ADMIT; the first admitted receipt id is kept so operators can fetch a sample receipt.</summary>
    public void AddAdmitted(string? receiptId)
    {
        Interlocked.Increment(ref admitted);
        Interlocked.CompareExchange(ref sampleReceiptId, receiptId, null);
    }

    public void AddDuplicate() => Interlocked.Increment(ref duplicate);

    public void AddQuarantined(IEnumerable<string> reasonCodes)
    {
        ArgumentNullException.ThrowIfNull(reasonCodes);
        Interlocked.Increment(ref quarantined);
        foreach (var code in reasonCodes)
        {
            quarantineReasons.AddOrUpdate(code, 1, (_, n) => n + 1);
        }
    }

    public void AddRefused(int count, string reason)
    {
        Interlocked.Add(ref refused, count);
        refusals.AddOrUpdate(reason, count, (_, n) => n + count);
    }

    public void AddLost(int count, string reason)
    {
        Interlocked.Add(ref lost, count);
        losses.AddOrUpdate(reason, count, (_, n) => n + count);
    }

    public void AddRetries(int count) => Interlocked.Add(ref retries, count);

    public ProduceSnapshot Snapshot() => new(
        Interlocked.Read(ref sent),
        Interlocked.Read(ref admitted),
        Interlocked.Read(ref duplicate),
        Interlocked.Read(ref quarantined),
        Interlocked.Read(ref refused),
        Interlocked.Read(ref lost),
        Interlocked.Read(ref retries),
        new SortedDictionary<string, long>(quarantineReasons, StringComparer.Ordinal),
        new SortedDictionary<string, long>(refusals, StringComparer.Ordinal),
        new SortedDictionary<string, long>(losses, StringComparer.Ordinal),
        Volatile.Read(ref sampleReceiptId));
}
