namespace Platformctl.Delivery;

/// <summary>How a batch sender talks to its endpoint and how hard it retries; each sender adds where and how much.</summary>
public abstract record BatchPostOptions
{
    /// <summary>Sent as X-Api-Key; never printed.</summary>
    public required string ApiKey { get; init; }

    public int Concurrency { get; init; } = 4;

    /// <summary>Attempts per item, the first included; what is still retryable after them is counted as lost.</summary>
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest Retry-After honoured; a server asking for more gets this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A client with one pooled connection per worker and the per-request timeout.</summary>
    public HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = RequestTimeout,
        };
}
