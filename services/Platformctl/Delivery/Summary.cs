using System.Globalization;

namespace Platformctl.Delivery;

/// <summary>The end-of-run summary every sender prints: aligned name/value rows, then one line per non-empty tally.</summary>
public static class Summary
{
    public static async Task WriteRowsAsync(TextWriter output, int nameWidth, IEnumerable<(string Name, string Value)> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        await output.WriteLineAsync();
        foreach (var (name, value) in rows)
        {
            await output.WriteLineAsync($"  {name.PadRight(nameWidth)} {value}");
        }
    }

    public static async Task WriteTallyAsync(TextWriter output, string title, IReadOnlyDictionary<string, long> tally)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(tally);
        if (tally.Count > 0)
        {
            await output.WriteLineAsync($"{title}: {string.Join(", ", tally.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} x{t.Value}")))}");
        }
    }

    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>How long the run took and how many items per second it settled.</summary>
    public static string Duration(TimeSpan duration, long items, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:F1} s ({items / Math.Max(duration.TotalSeconds, 0.001):F0} {unit}/s)");
}
