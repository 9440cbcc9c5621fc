using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// The identifiers only IG derives (CONTRACTS §4); the ones consumers derive too (dedupe_key, publish_id) are in
/// <see cref="EventIds"/>.
/// </summary>
public static class IgIds
{
    /// <summary>
    /// <c>receipt_id</c> of an ADMIT or DUPLICATE receipt = hex32 of H(decision + ":" + dedupe_key). CONTRACTS §4 says
    /// event_id, but event_id is only unique per run and class: the dedupe_key keeps one receipt per (platform_run_id,
    /// event_class, event_id, decision).
    /// </summary>
    public static string ReceiptId(ReceiptDecision decision, string dedupeKey) =>
        decision is ReceiptDecision.Admit or ReceiptDecision.Duplicate
            ? Digests.Hex32(Digests.Of($"{Receipt.WireName(decision)}:{dedupeKey}"))
            : throw new ArgumentOutOfRangeException(nameof(decision), decision, "A QUARANTINE receipt is named after its quarantine (QuarantineReceiptId).");

    /// <summary>
    /// <c>receipt_id</c> of a QUARANTINE receipt = hex32 of H("QUARANTINE:" + quarantine_id): one receipt per
    /// quarantine record, so every receipt's evidence_refs name its own evidence (two different bad versions of one
    /// event are two quarantines), and an envelope without a usable event_id or dedupe_key still gets one.
    /// </summary>
    public static string QuarantineReceiptId(string quarantineId) =>
        Digests.Hex32(Digests.Of($"{Receipt.WireName(ReceiptDecision.Quarantine)}:{quarantineId}"));

    /// <summary>
    /// <c>quarantine_id</c> = hex32 of H(<c>{actor_id, item_sha256, reason_codes}</c>): a retry of the same bad item by
    /// the same caller lands on the same evidence objects instead of piling up copies.
    /// </summary>
    public static string QuarantineId(string actorId, string itemSha256, IReadOnlyList<string> reasonCodes) =>
        Digests.Hex32(Digests.Of(new QuarantineIdInput(actorId, itemSha256, reasonCodes)));

    private sealed record QuarantineIdInput(string ActorId, string ItemSha256, IReadOnlyList<string> ReasonCodes);
}
