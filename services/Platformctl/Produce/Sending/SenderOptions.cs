namespace Platformctl.Produce.Sending;

/// <summary>One envelope ready to send: its id and its canonical JSON.</summary>
public sealed record EncodedEnvelope(string EventId, byte[] Json);

/// <summary>How the producer talks to IG's batch endpoint and how hard it retries.</summary>
public sealed record SenderOptions
{
    public required Uri IgUrl { get; init; }

    /// <summary>Sent as X-Api-Key; never printed.</summary>
    public required string ApiKey { get; init; }

    public int Concurrency { get; init; } = 4;

    /// <summary>Events per second across all workers; null for as fast as IG answers.</summary>
    public double? RatePerSecond { get; init; }

    /// <summary>Attempts per envelope, the first included; what is still retryable after them is counted as lost.</summary>
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest Retry-After honoured; a server asking for more gets this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
