using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// Where IG files its evidence in the object store, per run (CONTRACTS §4). Evidence of an event without a valid
/// platform_run_id (it can only be quarantined) goes under <see cref="NoRunPrefix"/>.
/// </summary>
public static class IgObjectKeys
{
    public const string NoRunPrefix = "no_platform_run";

    /// <summary><c>&lt;platform_run_id&gt;/ig/receipts/&lt;receipt_id&gt;.json</c>.</summary>
    public static string Receipt(string? platformRunId, string receiptId) => $"{Run(platformRunId)}/ig/receipts/{Hex32(receiptId)}.json";

    /// <summary>
    /// <c>&lt;platform_run_id&gt;/ig/receipts/batches/&lt;batch_id&gt;.json</c>: the ADMIT receipts one commit wrote
    /// together (<see cref="Domain.ReceiptBatch"/>); the receipt index says which batch holds a receipt.
    /// </summary>
    public static string ReceiptBatch(string? platformRunId, string batchId) => $"{Run(platformRunId)}/ig/receipts/batches/{Hex32(batchId)}.json";

    /// <summary>The prefix under which every receipt of a run is stored: its own objects and its receipt batches.</summary>
    public static string ReceiptsOfRun(string platformRunId) =>
        PlatformRunId.IsValid(platformRunId) ? $"{platformRunId}/ig/receipts/" : throw new ArgumentException($"'{platformRunId}' is not a platform_run_id.", nameof(platformRunId));

    /// <summary><c>&lt;platform_run_id&gt;/ig/quarantine/&lt;quarantine_id&gt;.json</c>: the record, without the payload.</summary>
    public static string QuarantineRecord(string? platformRunId, string quarantineId) => $"{Run(platformRunId)}/ig/quarantine/{Hex32(quarantineId)}.json";

    /// <summary>
    /// <c>&lt;platform_run_id&gt;/ig/quarantine_payloads/&lt;quarantine_id&gt;.json</c>: the payload, under its own prefix so
    /// access to it can be granted separately from the records.
    /// </summary>
    public static string QuarantinePayload(string? platformRunId, string quarantineId) => $"{Run(platformRunId)}/ig/quarantine_payloads/{Hex32(quarantineId)}.json";

    private static string Run(string? platformRunId) =>
        PlatformRunId.IsValid(platformRunId) ? platformRunId! : NoRunPrefix;

    // Ids become key segments: only our own hex32 ids are accepted, so no caller text reaches a key.
    private static string Hex32(string id) =>
        id is { Length: 32 } && Digests.Hex32(id) == id ? id : throw new ArgumentException($"'{id}' is not a hex32 id.", nameof(id));
}
