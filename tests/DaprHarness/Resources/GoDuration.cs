using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprHarness.Resources;

/// <summary>Go's time.ParseDuration format, which Dapr uses in YAML and request metadata (e.g. "1m30s", "500ms").</summary>
public static partial class GoDuration
{
    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<u>ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string raw, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = raw.Trim();
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+'))
        {
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        double ticks = 0;
        while (s.Length > 0)
        {
            var m = Part().Match(s);
            if (!m.Success)
            {
                return false;
            }

            var n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            ticks += m.Groups["u"].Value switch
            {
                "ns" => n / 100,
                "us" or "µs" => n * 10,
                "ms" => n * TimeSpan.TicksPerMillisecond,
                "s" => n * TimeSpan.TicksPerSecond,
                "m" => n * TimeSpan.TicksPerMinute,
                _ => n * TimeSpan.TicksPerHour,
            };
            s = s[m.Length..];
        }

        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalSeconds == Math.Floor(value.TotalSeconds)
            ? $"{(long)value.TotalSeconds}s"
            : $"{(long)value.TotalMilliseconds}ms";
}
