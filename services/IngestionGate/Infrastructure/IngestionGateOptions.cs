using Platform.Substrate.Errors;

namespace IngestionGate.Infrastructure;

/// <summary>
/// IG's tunables (configuration section <c>IngestionGate</c>). None of them changes what IG decides about an event;
/// they bound request sizes, waiting, batching and rates. Validated at start-up: a bad value refuses to start.
/// </summary>
public sealed class IngestionGateOptions
{
    public const string SectionName = "IngestionGate";

    /// <summary>The contract's batch limit: <c>POST /v1/events:batch</c> takes 1 to 500 envelopes.</summary>
    public const int MaxBatchItems = 500;

    /// <summary>Largest body of <c>POST /v1/events</c> (one envelope).</summary>
    public long MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest body of <c>POST /v1/events:batch</c>.</summary>
    public long MaxBatchBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Per-actor token bucket: events per second admitted to the pipeline (a batch costs one token per item).</summary>
    public int RateLimitEventsPerSecond { get; set; } = 20_000;

    /// <summary>Per-actor burst; at least <see cref="MaxBatchItems"/> so one full batch always fits.</summary>
    public int RateLimitBurst { get; set; } = 40_000;

    /// <summary>Most events one micro-batch carries through the state and object-store round trips.</summary>
    public int MicroBatchMaxItems { get; set; } = 256;

    /// <summary>How long a worker lingers for more requests once it holds one (0 = take only what is queued).</summary>
    public TimeSpan MicroBatchLinger { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Micro-batches processed at the same time. Each costs about five sidecar calls whatever its size, so fewer,
    /// larger micro-batches cost less CPU per event; two keep a micro-batch filling while another is in the stores
    /// (measured on 2 cores: single events cost about half the CPU with 2 workers than with 4, batches the same).
    /// </summary>
    public int MicroBatchWorkers { get; set; } = 2;

    /// <summary>Object-store writes (receipts, quarantine evidence) in flight at once, across all micro-batches.</summary>
    public int ObjectStoreWriteConcurrency { get; set; } = 32;

    /// <summary>How long an arrival waits for another admission of the same event before answering a retryable 409.</summary>
    public TimeSpan InFlightWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a waiting arrival re-reads an admission that another process holds in flight.</summary>
    public TimeSpan InFlightPoll { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// An admission in flight for longer than this is presumed orphaned (crash) and an operator may resolve it. A live
    /// IG settles its own publish within <see cref="PublishTimeout"/>, so this must be comfortably longer.
    /// </summary>
    public TimeSpan StaleInFlightAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A publish that has not answered by then has an unknown outcome: the admission becomes PUBLISH_AMBIGUOUS.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the backfill writes receipts whose first write failed.</summary>
    public TimeSpan ReceiptBackfillInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Receipts the backfill writes per round.</summary>
    public int ReceiptBackfillBatch { get; set; } = 100;

    /// <summary>Throws <see cref="PlatformStartupException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string name, string rule)
        {
            if (!ok)
            {
                problems.Add($"{SectionName}:{name} {rule}");
            }
        }

        Require(MaxEventBytes is >= 1024 and <= 16 * 1024 * 1024, nameof(MaxEventBytes), "must be between 1 KiB and 16 MiB");
        Require(MaxBatchBytes >= MaxEventBytes && MaxBatchBytes <= 64 * 1024 * 1024, nameof(MaxBatchBytes), "must be at least MaxEventBytes and at most 64 MiB");
        Require(RateLimitEventsPerSecond >= 1, nameof(RateLimitEventsPerSecond), "must be at least 1");
        Require(RateLimitBurst >= MaxBatchItems, nameof(RateLimitBurst), $"must be at least {MaxBatchItems} (one full batch)");
        Require(MicroBatchMaxItems is >= 1 and <= 4096, nameof(MicroBatchMaxItems), "must be between 1 and 4096");
        Require(MicroBatchLinger >= TimeSpan.Zero && MicroBatchLinger <= TimeSpan.FromSeconds(1), nameof(MicroBatchLinger), "must be between 0 and 1s");
        Require(MicroBatchWorkers is >= 1 and <= 64, nameof(MicroBatchWorkers), "must be between 1 and 64");
        Require(ObjectStoreWriteConcurrency is >= 1 and <= 1024, nameof(ObjectStoreWriteConcurrency), "must be between 1 and 1024");
        Require(InFlightWait > TimeSpan.Zero, nameof(InFlightWait), "must be positive");
        Require(InFlightPoll > TimeSpan.Zero && InFlightPoll <= InFlightWait, nameof(InFlightPoll), "must be positive and at most InFlightWait");
        Require(PublishTimeout > TimeSpan.Zero, nameof(PublishTimeout), "must be positive");
        Require(StaleInFlightAfter > PublishTimeout * 2, nameof(StaleInFlightAfter), "must exceed twice PublishTimeout (a live IG settles its own publish first)");
        Require(ReceiptBackfillInterval > TimeSpan.Zero, nameof(ReceiptBackfillInterval), "must be positive");
        Require(ReceiptBackfillBatch >= 1, nameof(ReceiptBackfillBatch), "must be at least 1");
        if (problems.Count > 0)
        {
            throw new PlatformStartupException("Invalid IG configuration: " + string.Join("; ", problems) + ".");
        }
    }
}
