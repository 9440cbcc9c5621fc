using Platformctl.Delivery;

namespace Platformctl.Produce.Sending;

/// <summary>A consistent-enough view of the counters for progress lines and the summary.</summary>
public sealed record ProduceSnapshot(
    long Admitted,
    long Duplicate,
    long Quarantined,
    IReadOnlyDictionary<string, long> QuarantineReasons,
    string? SampleReceiptId,
    DeliveryTotals Delivery);

/// <summary>
/// What happened to the envelopes: sent (submitted at least once), then exactly one of admitted, duplicate,
/// quarantined, refused (a non-retryable answer) or lost (still retryable when the attempts ran out, or cancelled);
/// retries counts re-submissions of an envelope.
/// </summary>
public sealed class ProduceCounters : DeliveryCounters
{
    private readonly Tally quarantineReasons = new();
    private long admitted;
    private long duplicate;
    private long quarantined;
    private string? sampleReceiptId;

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
            quarantineReasons.Add(code);
        }
    }

    public ProduceSnapshot Snapshot() => new(
        Interlocked.Read(ref admitted),
        Interlocked.Read(ref duplicate),
        Interlocked.Read(ref quarantined),
        quarantineReasons.Snapshot(),
        Volatile.Read(ref sampleReceiptId),
        Totals());
}
