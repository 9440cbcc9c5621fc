namespace Platformctl.Delivery;

/// <summary>
/// A progress line every interval: rewritten in place on a terminal, one plain line per interval otherwise (logs, CI).
/// Disposing it writes the final line, so even a run shorter than one interval shows where it ended.
/// </summary>
public sealed class ProgressTicker : IAsyncDisposable
{
    private const int Width = 120;

    private readonly Func<string> line;
    private readonly TextWriter output;
    private readonly bool interactive;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public ProgressTicker(Func<string> line, TextWriter output, bool interactive, TimeSpan interval)
    {
        this.line = line;
        this.output = output;
        this.interactive = interactive;
        loop = RunAsync(interval);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
        await (interactive ? output.WriteLineAsync("\r" + line().PadRight(Width)) : output.WriteLineAsync(line()));
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var text = line();
                await (interactive ? output.WriteAsync("\r" + text.PadRight(Width)) : output.WriteLineAsync(text));
                await output.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: the summary follows.
        }
    }
}
