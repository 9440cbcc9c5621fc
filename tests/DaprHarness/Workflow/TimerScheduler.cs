using System.Threading.Channels;

namespace DaprHarness.Workflow;

/// <summary>
/// Wakes the turn dispatcher when new work arrives, or when the next durable timer or scheduled start falls due
/// (timers are inbox events that become visible at their fire time). Waits use the harness clock.
/// </summary>
internal sealed class TimerScheduler(TimeProvider clock)
{
    /// <summary>Upper bound of one wait, so work written by another process sharing the database is noticed too.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public TimeProvider Clock => clock;

    public void Wake() => _signal.Writer.TryWrite(true);

    /// <summary>Returns when woken, when <paramref name="due"/> is reached, or after <see cref="MaxWait"/>.</summary>
    public async Task WaitAsync(DateTimeOffset? due, CancellationToken cancellationToken)
    {
        var wait = MaxWait;
        if (due is { } at)
        {
            var untilDue = at - clock.GetUtcNow();
            wait = untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < MaxWait ? untilDue : MaxWait;
        }

        if (wait == TimeSpan.Zero)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(wait, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _signal.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // due time reached
        }
    }
}
