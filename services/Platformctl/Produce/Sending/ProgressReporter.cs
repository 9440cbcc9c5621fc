using System.Diagnostics;
using System.Globalization;

namespace Platformctl.Produce.Sending;

/// <summary>
/// A progress line every second: rewritten in place on a terminal, one plain line per second otherwise (logs, CI).
/// </summary>
public sealed class ProgressReporter : IAsyncDisposable
{
    private readonly ProduceCounters counters;
    private readonly TextWriter output;
    private readonly bool interactive;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public ProgressReporter(ProduceCounters counters, TextWriter output, bool interactive, TimeSpan interval)
    {
        this.counters = counters;
        this.output = output;
        this.interactive = interactive;
        loop = RunAsync(interval);
    }

    public static string Line(ProduceSnapshot snapshot, double eventsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"sent {snapshot.Sent}  admitted {snapshot.Admitted}  duplicate {snapshot.Duplicate}  quarantined {snapshot.Quarantined}  refused {snapshot.Refused}  lost {snapshot.Lost}  {eventsPerSecond:F0} events/s");
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
        if (interactive)
        {
            await output.WriteLineAsync();
        }
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        var clock = Stopwatch.StartNew();
        var lastSent = 0L;
        var lastAt = TimeSpan.Zero;
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var snapshot = counters.Snapshot();
                var now = clock.Elapsed;
                var rate = (snapshot.Sent - lastSent) / Math.Max((now - lastAt).TotalSeconds, 0.001);
                (lastSent, lastAt) = (snapshot.Sent, now);
                var line = Line(snapshot, rate);
                await (interactive ? output.WriteAsync("\r" + line.PadRight(100)) : output.WriteLineAsync(line));
                await output.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: the summary follows.
        }
    }
}
