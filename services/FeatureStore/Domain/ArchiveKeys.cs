using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>
/// Where the archive lives in the object store. Every record has a name, <c>&lt;yyyyMMddTHHmmssffffff&gt;Z_&lt;publish_id&gt;</c>
/// (event time, then IG's publish id), derived from the envelope alone: fixed-width UTC time sorts lexically, so names
/// order a stream in event time (the order a point-in-time build replays in) and a time window is a name range; a
/// redelivered record has the same name. The name is also the record's archive offset in a build's replay basis.
/// <list type="bullet">
/// <item><b>Segments</b> are the archive: NDJSON, gzip-compressed, one day of one stream, records in name order,
/// <c>&lt;run&gt;/archive/&lt;stream&gt;/&lt;yyyyMMdd&gt;/&lt;first&gt;__&lt;last&gt;__&lt;sha256&gt;.ndjson.gz</c>; the key
/// names the span (a build picks segments without opening them) and the content digest (it verifies what it read).</item>
/// <item><b>Spool</b> objects are the write-ahead: one per record, <c>&lt;run&gt;/archive/&lt;stream&gt;/spool/&lt;name&gt;.json</c>,
/// durable before the bus hears 2xx and deleted once a segment holds the record.</item>
/// </list>
/// </summary>
public static partial class ArchiveKeys
{
    public const string NoRunPrefix = "no_platform_run";
    public const string SegmentSuffix = ".ndjson.gz";

    private const string SpoolFolder = "spool/";
    private const string SpoolSuffix = ".json";
    private const string NameTimePattern = "yyyyMMdd'T'HHmmssffffff'Z'";

    /// <summary><c>&lt;platform_run_id&gt;/archive/&lt;stream&gt;/</c>: the stream's segments and its spool.</summary>
    public static string StreamPrefix(string platformRunId, EventStream stream) =>
        $"{Run(platformRunId)}/archive/{stream.ShortName}/";

    /// <summary><c>&lt;platform_run_id&gt;/archive/&lt;stream&gt;/spool/</c>: records not yet in a segment.</summary>
    public static string SpoolPrefix(string platformRunId, EventStream stream) => StreamPrefix(platformRunId, stream) + SpoolFolder;

    /// <summary>A record's name: its event time to the microsecond, then its publish id.</summary>
    public static string RecordName(DateTimeOffset tsUtc, string publishId) =>
        UtcTimestamp.Truncate(tsUtc).ToString(NameTimePattern, CultureInfo.InvariantCulture) + "_" + Hex32(publishId);

    public static string Spool(string platformRunId, EventStream stream, string recordName) =>
        SpoolPrefix(platformRunId, stream) + CheckedName(recordName) + SpoolSuffix;

    /// <summary>The record name of a spool key under <paramref name="spoolPrefix"/>, or null when the key is something else.</summary>
    public static string? SpoolRecordName(string key, string spoolPrefix) =>
        key.StartsWith(spoolPrefix, StringComparison.Ordinal) && key.EndsWith(SpoolSuffix, StringComparison.Ordinal)
        && key[spoolPrefix.Length..^SpoolSuffix.Length] is var name && RecordNamePattern().IsMatch(name)
            ? name
            : null;

    /// <summary>A segment of one day holding <paramref name="firstName"/> … <paramref name="lastName"/>, content digest <paramref name="sha256"/>.</summary>
    public static string Segment(string platformRunId, EventStream stream, string firstName, string lastName, string sha256)
    {
        if (string.CompareOrdinal(CheckedName(firstName), CheckedName(lastName)) > 0 || firstName[..8] != lastName[..8])
        {
            throw new ArgumentException($"A segment spans one day in name order; {firstName} … {lastName} does not.", nameof(lastName));
        }

        return $"{StreamPrefix(platformRunId, stream)}{firstName[..8]}/{firstName}__{lastName}__{Hex64(sha256)}{SegmentSuffix}";
    }

    /// <summary>Reads a segment key of the stream under <paramref name="streamPrefix"/> back into its span and digest.</summary>
    public static bool TryParseSegment(string key, string streamPrefix, out SegmentSpan span)
    {
        span = default;
        if (!key.StartsWith(streamPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var match = SegmentPattern().Match(key, streamPrefix.Length);
        if (!match.Success || match.Index != streamPrefix.Length)
        {
            return false;
        }

        // Exactly what Segment writes: the day folder of both names, in name order.
        var (day, first, last) = (match.Groups["day"].Value, match.Groups["first"].Value, match.Groups["last"].Value);
        if (day != first[..8] || day != last[..8] || string.CompareOrdinal(first, last) > 0)
        {
            return false;
        }

        span = new SegmentSpan(key, first, last, match.Groups["sha"].Value);
        return true;
    }

    public static bool IsRecordName(string? name) => name is not null && RecordNamePattern().IsMatch(name);

    /// <summary><c>&lt;platform_run_id&gt;/archive/dead_letters/&lt;stream&gt;/</c> (runless records under <see cref="NoRunPrefix"/>).</summary>
    public static string DeadLetterPrefix(string? platformRunId, EventStream stream) =>
        $"{Run(platformRunId)}/archive/dead_letters/{stream.ShortName}/";

    /// <summary><c>&lt;platform_run_id&gt;/archive/dead_letters/&lt;stream&gt;/&lt;dead_letter_id&gt;.json</c>.</summary>
    public static string DeadLetter(string? platformRunId, EventStream stream, string deadLetterId) =>
        DeadLetterPrefix(platformRunId, stream) + Hex32(deadLetterId) + ".json";

    private static string Run(string? platformRunId) => PlatformRunId.IsValid(platformRunId) ? platformRunId! : NoRunPrefix;

    // Only our own names and hex ids become key segments: no delivered text reaches a key.
    private static string Hex32(string id) =>
        id is { Length: 32 } && Digests.Hex32(id) == id ? id : throw new ArgumentException($"'{id}' is not a hex32 id.", nameof(id));

    private static string Hex64(string digest) =>
        digest is { Length: 64 } && digest.All(char.IsAsciiHexDigitLower) ? digest : throw new ArgumentException($"'{digest}' is not a SHA-256 hex digest.", nameof(digest));

    private static string CheckedName(string name) =>
        IsRecordName(name) ? name : throw new ArgumentException($"'{name}' is not an archive record name.", nameof(name));

    [GeneratedRegex("^[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex RecordNamePattern();

    [GeneratedRegex(@"\G(?<day>[0-9]{8})/(?<first>[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32})__(?<last>[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32})__(?<sha>[0-9a-f]{64})\.ndjson\.gz$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();
}

/// <summary>A segment's key, the names of its first and last record, and the SHA-256 of its bytes.</summary>
public readonly record struct SegmentSpan(string Key, string FirstName, string LastName, string Sha256)
{
    /// <summary>Whether any name of [<paramref name="start"/>, <paramref name="end"/>] can be in this segment.</summary>
    public bool Overlaps(string start, string end) =>
        string.CompareOrdinal(FirstName, end) <= 0 && string.CompareOrdinal(LastName, start) >= 0;
}
