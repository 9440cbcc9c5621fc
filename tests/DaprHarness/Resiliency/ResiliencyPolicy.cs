namespace DaprHarness.Resiliency;

/// <summary>A retry policy as Dapr's Resiliency spec defines it (constant or exponential back-off).</summary>
public sealed record RetryPolicy(string Name, bool Exponential, TimeSpan Duration, TimeSpan MaxInterval, int MaxRetries)
{
    /// <summary>Delay before retry number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        if (!Exponential)
        {
            return Duration;
        }

        // Dapr's exponential policy starts at 500 ms unless told otherwise and doubles up to maxInterval.
        var initial = Duration > TimeSpan.Zero ? Duration : TimeSpan.FromMilliseconds(500);
        var delay = initial * Math.Pow(2, attempt - 1);
        return delay < MaxInterval ? delay : MaxInterval;
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
