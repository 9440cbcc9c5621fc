namespace DaprHarness.Resiliency;

/// <summary>A retry policy as Dapr's Resiliency spec defines it (constant or exponential back-off).</summary>
public sealed record RetryPolicy(string Name, bool Exponential, TimeSpan Duration, TimeSpan MaxInterval, int MaxRetries)
{
    /// <summary>
    /// Delay before retry number <paramref name="attempt"/> (1-based). Constant: <see cref="Duration"/>. Exponential:
    /// as dapr/kit's back-off, which ignores <c>duration</c>: 500 ms growing by 1.5 per attempt, capped at
    /// <see cref="MaxInterval"/>, then randomised by ±50%.
    /// </summary>
    public TimeSpan DelayBefore(int attempt)
    {
        if (!Exponential)
        {
            return Duration;
        }

        var interval = TimeSpan.FromMilliseconds(500) * Math.Pow(1.5, attempt - 1);
        if (interval > MaxInterval)
        {
            interval = MaxInterval;
        }

        // As cenkalti/backoff: the cap applies to the interval before randomisation.
        return interval * (0.5 + Random.Shared.NextDouble());
    }

    /// <summary>True while another retry is allowed; a negative MaxRetries means unlimited, as in Dapr.</summary>
    public bool Allows(int retriesSoFar) => MaxRetries < 0 || retriesSoFar < MaxRetries;
}

/// <summary>A circuit breaker: opens after <see cref="ConsecutiveFailures"/> failures for <see cref="Timeout"/>.</summary>
public sealed record CircuitBreakerPolicy(string Name, int ConsecutiveFailures, TimeSpan Timeout, int MaxRequests, TimeSpan Interval);

/// <summary>The policies that apply to one target and direction (timeout, retry, circuit breaker).</summary>
public sealed record ResiliencyPolicy(TimeSpan? Timeout, RetryPolicy? Retry, CircuitBreakerPolicy? CircuitBreaker)
{
    public static readonly ResiliencyPolicy None = new(null, null, null);

    /// <summary>
    /// Runs <paramref name="operation"/> with the timeout applied per attempt and the retry policy between
    /// attempts. Returns the last exception when every attempt failed (null on success).
    /// </summary>
    public async Task<Exception?> ExecuteAsync(Func<CancellationToken, Task> operation, TimeProvider clock, CancellationToken cancellationToken)
    {
        for (var retries = 0; ; retries++)
        {
            Exception? failure;
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (Timeout is { } timeout)
                {
                    attempt.CancelAfter(timeout);
                }

                try
                {
                    await operation(attempt.Token);
                    return null;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = e;
                }
            }

            if (Retry is null || !Retry.Allows(retries))
            {
                return failure;
            }

            await Task.Delay(Retry.DelayBefore(retries + 1), clock, cancellationToken);
        }
    }
}
