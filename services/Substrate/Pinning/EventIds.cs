using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Substrate.Pinning;

/// <summary>
/// The identifiers of an event on the bus that IG derives at admission and consumers derive again from the envelope
/// (CONTRACTS §4 and the eb_ref design note): both sides must compute them the same way, so they live here once.
/// </summary>
public static partial class EventIds
{
    /// <summary>The event_id spelling of the envelope contract (schemas/event_envelope.v1.schema.json).</summary>
    public static bool IsValidEventId(string? eventId) => eventId is not null && EventIdPattern().IsMatch(eventId);

    /// <summary><c>dedupe_key</c> = hex SHA-256 of the UTF-8 string <c>"{platform_run_id}:{event_class}:{event_id}"</c>.</summary>
    public static string DedupeKey(string platformRunId, string eventClass, string eventId) =>
        Digests.Sha256Hex(Encoding.UTF8.GetBytes($"{platformRunId}:{eventClass}:{eventId}"));

    /// <summary>
    /// <c>publish_id</c> = hex32 of H(dedupe_key + ":" + attempt): the eb_ref offset of an admitted event, since the
    /// Kinesis binding reports no sequence number. A new attempt (operator republish) gets a new id.
    /// </summary>
    public static string PublishId(string dedupeKey, int attempt) =>
        attempt >= 1
            ? Digests.Hex32(Digests.Of($"{dedupeKey}:{attempt.ToString(CultureInfo.InvariantCulture)}"))
            : throw new ArgumentOutOfRangeException(nameof(attempt), attempt, "Publish attempts count from 1.");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex EventIdPattern();
}
