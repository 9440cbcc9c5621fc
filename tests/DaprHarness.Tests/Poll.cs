using System.Diagnostics;

namespace DaprHarness.Tests;

/// <summary>Waiting for something the harness does in the background, bounded by a deadline instead of a fixed sleep.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Checks <paramref name="condition"/> until it holds; fails the test after <paramref name="limit"/>, with
    /// <paramref name="seen"/> appended to the message.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan limit, Func<string>? seen = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds}s waiting for {what}{seen?.Invoke()}");
            }

            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan limit, Func<string>? seen = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, limit, seen);
}
