using System.Globalization;
using System.Text;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>Every identifier IG derives, in one place (CONTRACTS §4 and the eb_ref deviation in IG's design notes).</summary>
public static class IgIds
{
    /// <summary><c>dedupe_key</c> = hex SHA-256 of the UTF-8 string <c>"{platform_run_id}:{event_class}:{event_id}"</c>.</summary>
    public static string DedupeKey(string platformRunId, string eventClass, string eventId) =>
        Digests.Sha256Hex(Encoding.UTF8.GetBytes($"{platformRunId}:{eventClass}:{eventId}"));

    /// <summary><c>receipt_id</c> = hex32 of H(decision + ":" + event_id).</summary>
    public static string ReceiptId(ReceiptDecision decision, string eventId) =>
        Digests.Hex32(Digests.Of($"{Receipt.WireName(decision)}:{eventId}"));

    /// <summary>
    /// <c>publish_id</c> = hex32 of H(dedupe_key + ":" + attempt): the eb_ref offset of an admitted event, since the
    /// Kinesis binding reports no sequence number. A new attempt (operator republish) gets a new id.
    /// </summary>
    public static string PublishId(string dedupeKey, int attempt) =>
        attempt >= 1
            ? Digests.Hex32(Digests.Of($"{dedupeKey}:{attempt.ToString(CultureInfo.InvariantCulture)}"))
            : throw new ArgumentOutOfRangeException(nameof(attempt), attempt, "Publish attempts count from 1.");

    /// <summary>
    /// <c>quarantine_id</c> = hex32 of H(<c>{actor_id, item_sha256, reason_codes}</c>): a retry of the same bad item by
    /// the same caller lands on the same evidence objects instead of piling up copies.
    /// </summary>
    public static string QuarantineId(string actorId, string itemSha256, IReadOnlyList<string> reasonCodes) =>
        Digests.Hex32(Digests.Of(new QuarantineIdInput(actorId, itemSha256, reasonCodes)));

    private sealed record QuarantineIdInput(string ActorId, string ItemSha256, IReadOnlyList<string> ReasonCodes);
}
