using System.Globalization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>
/// Where the archive lives in the object store. One object per record under its run and stream, named by event time
/// then IG's publish id: <c>&lt;platform_run_id&gt;/archive/&lt;stream&gt;/&lt;yyyyMMddTHHmmssffffff&gt;Z_&lt;publish_id&gt;.json</c>.
/// A listing of a run's stream therefore comes back in event-time order (fixed-width UTC time sorts lexically),
/// which is the order a point-in-time build replays in; a time selector is a key prefix (<c>…/traffic/20261120T12</c>
/// is one hour). The name is derived from the envelope alone, so a redelivered record lands on the same key.
/// </summary>
public static class ArchiveKeys
{
    public const string NoRunPrefix = "no_platform_run";

    private const string KeyTimePattern = "yyyyMMdd'T'HHmmssffffff'Z'";

    /// <summary><c>&lt;platform_run_id&gt;/archive/&lt;stream&gt;/</c>: every archived record of a run's stream.</summary>
    public static string StreamPrefix(string platformRunId, EventStream stream) =>
        $"{Run(platformRunId)}/archive/{stream.ShortName}/";

    public static string Record(string platformRunId, EventStream stream, DateTimeOffset tsUtc, string publishId) =>
        StreamPrefix(platformRunId, stream)
        + UtcTimestamp.Truncate(tsUtc).ToString(KeyTimePattern, CultureInfo.InvariantCulture)
        + "_" + Hex32(publishId) + ".json";

    /// <summary><c>&lt;platform_run_id&gt;/archive/dead_letters/&lt;stream&gt;/&lt;dead_letter_id&gt;.json</c> (runless records under <see cref="NoRunPrefix"/>).</summary>
    public static string DeadLetter(string? platformRunId, EventStream stream, string deadLetterId) =>
        $"{Run(platformRunId)}/archive/dead_letters/{stream.ShortName}/{Hex32(deadLetterId)}.json";

    private static string Run(string? platformRunId) => PlatformRunId.IsValid(platformRunId) ? platformRunId! : NoRunPrefix;

    // Only our own hex ids become key segments: no delivered text reaches a key.
    private static string Hex32(string id) =>
        id is { Length: 32 } && Digests.Hex32(id) == id ? id : throw new ArgumentException($"'{id}' is not a hex32 id.", nameof(id));
}
