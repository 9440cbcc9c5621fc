using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace IngestionGate.Infrastructure;

/// <summary>
/// One token bucket per authenticated actor: <see cref="IngestionGateOptions.RateLimitEventsPerSecond"/> tokens a
/// second up to <see cref="IngestionGateOptions.RateLimitBurst"/>; every envelope costs a token, so a batch of 500
/// weighs as much as 500 single requests. Nothing queues: an empty bucket answers 429 at once.
/// </summary>
public sealed class ProducerRateLimiter : IDisposable
{
    private const int PeriodsPerSecond = 10;

    private readonly PartitionedRateLimiter<string> _limiter;

    public ProducerRateLimiter(IOptions<IngestionGateOptions> options)
    {
        var settings = options.Value;
        // Refilled ten times a second, or once per token when the rate is lower than that.
        var rate = settings.RateLimitEventsPerSecond;
        var (perPeriod, period) = rate >= PeriodsPerSecond
            ? ((int)Math.Ceiling((double)rate / PeriodsPerSecond), TimeSpan.FromSeconds(1.0 / PeriodsPerSecond))
            : (1, TimeSpan.FromSeconds(1.0 / rate));
        _limiter = PartitionedRateLimiter.Create<string, string>(actorId => RateLimitPartition.GetTokenBucketLimiter(
            actorId,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.RateLimitBurst,
                TokensPerPeriod = perPeriod,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes <paramref name="events"/> tokens from the actor's bucket; otherwise says when to retry.</summary>
    public bool TryAcquire(string actorId, int events, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(actorId, events);
        retryAfter = !lease.IsAcquired && lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
