using System.Globalization;
using Platform.Substrate.BuildingBlocks;
using Platformctl.Cli;

namespace Platformctl.Jobs;

/// <summary>
/// Turns the operator's replay selectors into the pinned replay basis ofs takes: explicit archive offset ranges, or a
/// time window converted to the offsets that bound it. Archive offsets are <c>&lt;yyyyMMddTHHmmssffffff&gt;Z_&lt;32 hex&gt;</c>
/// and sort in event time, so a window [start, end] is <c>&lt;start&gt;Z_00…0</c> .. <c>&lt;end&gt;Z_ff…f</c>.
/// </summary>
public static class ReplaySelectors
{
    /// <summary>The streams OFS archives, which a window selects.</summary>
    public static readonly IReadOnlyList<EventStream> Archived = [PlatformNames.Streams.Traffic, PlatformNames.Streams.Context];

    public static IReadOnlyList<ReplayRange> Resolve(IReadOnlyList<string> ranges, string? windowStart, string? windowEnd, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(errors);
        var window = windowStart is not null || windowEnd is not null;
        if (window == ranges.Count > 0)
        {
            errors.Add("give the replay basis as --range (one or more) or as --window-start with --window-end, not both");
            return [];
        }

        if (!window)
        {
            return [.. ranges.Select(r => Range(r, errors)).OfType<ReplayRange>()];
        }

        if (!OptionRules.TryParseUtc(windowStart, out var start) || !OptionRules.TryParseUtc(windowEnd, out var end))
        {
            errors.Add("--window-start and --window-end must both be RFC 3339 UTC times, e.g. 2026-01-05T00:00:00Z");
            return [];
        }

        if (start > end)
        {
            errors.Add("--window-start is after --window-end");
            return [];
        }

        return [.. Archived.Select(s => new ReplayRange(s.StreamName, ReplayRange.ArchiveKey, Offset(start, '0'), Offset(end, 'f')))];
    }

    /// <summary>The archive offset at <paramref name="at"/> with the publish id all <paramref name="fill"/>.</summary>
    public static string Offset(DateTimeOffset at, char fill) =>
        at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssffffff", CultureInfo.InvariantCulture) + "Z_" + new string(fill, 32);

    /// <summary><c>&lt;stream&gt;=&lt;start&gt;..&lt;end&gt;</c>; the stream by its name or its short name.</summary>
    private static ReplayRange? Range(string text, List<string> errors)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var dots = text.IndexOf("..", StringComparison.Ordinal);
        if (equals <= 0 || dots < equals)
        {
            errors.Add($"--range '{text}' must be <stream>=<start_offset>..<end_offset>");
            return null;
        }

        var name = text[..equals];
        var stream = PlatformNames.Streams.All.FirstOrDefault(s => s.StreamName == name || s.ShortName == name)?.StreamName ?? name;
        return new ReplayRange(stream, ReplayRange.ArchiveKey, text[(equals + 1)..dots], text[(dots + 2)..]);
    }
}
