using System.Text.Json;
using System.Text.Json.Serialization;
using IngestionGate.Domain;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Infrastructure;

/// <summary>
/// The <c>ig-admission</c> row of one event, key = dedupe_key. <see cref="Envelope"/> is the canonical envelope kept
/// while the publish is unconfirmed (in flight or ambiguous) so an operator's republish sends the very same record;
/// it is dropped at the commit point. <see cref="Resolution"/> records the operator who settled an unconfirmed publish.
/// </summary>
public sealed record AdmissionRow(AdmissionRecord Admission, JsonElement? Envelope, OperatorResolution? Resolution = null)
{
    public string DedupeKey => Admission.DedupeKey;

    public AdmissionState State => Admission.State;

    /// <summary>The bytes to publish: the canonical envelope, identical to the first attempt's record.</summary>
    public byte[] Record() =>
        Envelope is { } envelope
            ? CanonicalJson.Serialize(envelope)
            : throw new InvalidOperationException($"Admission {DedupeKey} keeps no envelope ({State}).");
}

/// <summary>How an operator settled an admission whose publish was unconfirmed (<c>POST /v1/admissions/{dedupe_key}:resolve</c>).</summary>
public sealed record OperatorResolution(
    string ActorId,
    ResolveOutcome Outcome,
    string? Note,
    AdmissionState ResolvedFrom,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ResolvedAtUtc);

/// <summary>What an operator decided about an unconfirmed publish.</summary>
public enum ResolveOutcome
{
    /// <summary>The record is not on the stream: publish it again (a new attempt and publish id).</summary>
    [JsonStringEnumMemberName("republish")]
    Republish = 1,

    /// <summary>The record is on the stream: commit the admission with the attempt's eb_ref.</summary>
    [JsonStringEnumMemberName("mark_admitted")]
    MarkAdmitted = 2,
}

/// <summary>
/// <c>receipt/&lt;receipt_id&gt;</c>: where a receipt is stored. <see cref="ObjectKey"/> is the receipt's own object;
/// an ADMIT receipt written with the others of its commit lives in the <see cref="BatchKey"/> object instead (its own
/// object is written only by the backfill or a repair on read, when the batch write failed). ADMIT entries name their
/// admission so a lagging receipt can be rebuilt.
/// </summary>
public sealed record ReceiptIndexEntry(string ObjectKey, string? DedupeKey, string? BatchKey = null);

/// <summary>
/// <c>run_segment/&lt;platform_run_id&gt;</c>: the policy_rev IG last recorded for a run and the segment it opened
/// (CONTRACTS §1: a change of policy_rev inside a run starts a new segment).
/// </summary>
public sealed record RunSegment(
    string PlatformRunId,
    PolicyRev PolicyRev,
    int SegmentSeq,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset StartedAtUtc);

/// <summary><c>receipt_backfill</c>: dedupe keys of committed admissions whose ADMIT receipt is not written yet.</summary>
public sealed record PendingReceipts(IReadOnlyList<string> DedupeKeys);

/// <summary>
/// Every read and write IG makes on <c>ig-admission</c>. Multi-key operations sort their keys: PostgreSQL locks rows
/// in statement order, and two concurrent transactions taking the same rows in different orders deadlock.
/// </summary>
public sealed class AdmissionStore([FromKeyedServices(PlatformNames.Components.IgAdmission)] DaprStateStore state)
{
    public const string ReceiptIndexPrefix = "receipt/";
    public const string RunSegmentPrefix = "run_segment/";
    public const string PendingReceiptsKey = "receipt_backfill";

    public async Task<IReadOnlyDictionary<string, StateEntry<AdmissionRow>>> GetManyAsync(IEnumerable<string> dedupeKeys, CancellationToken cancellationToken)
    {
        var keys = dedupeKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var entries = await state.GetBulkAsync<AdmissionRow>(keys, cancellationToken);
        return entries.ToDictionary(entry => entry.Key, StringComparer.Ordinal);
    }

    public Task<StateEntry<AdmissionRow>?> GetAsync(string dedupeKey, CancellationToken cancellationToken) =>
        state.GetAsync<AdmissionRow>(dedupeKey, cancellationToken);

    /// <summary>First write of a new admission; false when the row exists already (another submission got there first).</summary>
    public Task<bool> TryInsertAsync(AdmissionRow row, CancellationToken cancellationToken) =>
        state.TrySaveAsync(row.DedupeKey, row, expectedETag: null, timeToLive: null, cancellationToken);

    /// <summary>
    /// First writes of several new admissions in one transaction: true when all were inserted, false when any row
    /// exists already (then none was).
    /// </summary>
    public Task<bool> TryInsertAllAsync(IReadOnlyList<AdmissionRow> rows, CancellationToken cancellationToken) =>
        state.TryExecuteTransactionAsync(Sorted([.. rows.Select(row => StateWrite.Insert(row.DedupeKey, row))]), cancellationToken);

    /// <summary>Replaces the row if it still carries <paramref name="etag"/>.</summary>
    public Task<bool> TryReplaceAsync(AdmissionRow row, string etag, CancellationToken cancellationToken) =>
        state.TrySaveAsync(row.DedupeKey, row, etag, timeToLive: null, cancellationToken);

    /// <summary>Deletes the row if it still carries <paramref name="etag"/>.</summary>
    public Task<bool> TryDeleteAsync(string dedupeKey, string etag, CancellationToken cancellationToken) =>
        state.TryDeleteAsync(dedupeKey, etag, cancellationToken);

    /// <summary>
    /// The commit point of several admissions at once: each ADMITTED row (guarded by the ETag it was read or written
    /// with) and its receipt index entry, in one transaction. False when any row changed meanwhile (nothing applied).
    /// </summary>
    public Task<bool> TryCommitAsync(IReadOnlyList<(AdmissionRow Row, string ETag, ReceiptIndexEntry Receipt)> commits, CancellationToken cancellationToken)
    {
        var writes = new List<StateWrite>(commits.Count * 2);
        foreach (var (row, etag, receipt) in commits)
        {
            writes.Add(StateWrite.Upsert(row.DedupeKey, row, etag));
            writes.Add(StateWrite.Upsert(ReceiptIndexKey(row.Admission.ReceiptId!), receipt));
        }

        return state.TryExecuteTransactionAsync(Sorted(writes), cancellationToken);
    }

    /// <summary>Records where receipts are stored (a projection: overwriting an entry with the same content is harmless).</summary>
    public async Task SaveReceiptIndexAsync(IReadOnlyDictionary<string, ReceiptIndexEntry> entriesByReceiptId, CancellationToken cancellationToken)
    {
        if (entriesByReceiptId.Count == 0)
        {
            return;
        }

        var writes = entriesByReceiptId.Select(pair => StateWrite.Upsert(ReceiptIndexKey(pair.Key), pair.Value)).ToList();
        if (!await state.TryExecuteTransactionAsync(Sorted(writes), cancellationToken))
        {
            throw new StoreContentionException("Unconditional receipt index writes reported a conflict.");
        }
    }

    public async Task<ReceiptIndexEntry?> GetReceiptIndexAsync(string receiptId, CancellationToken cancellationToken) =>
        (await state.GetAsync<ReceiptIndexEntry>(ReceiptIndexKey(receiptId), cancellationToken))?.Value;

    public Task<StateEntry<RunSegment>?> GetRunSegmentAsync(string platformRunId, CancellationToken cancellationToken) =>
        state.GetAsync<RunSegment>(RunSegmentPrefix + platformRunId, cancellationToken);

    /// <summary>Inserts (<paramref name="etag"/> null) or advances a run's segment; false when another writer got there first.</summary>
    public Task<bool> TrySaveRunSegmentAsync(RunSegment segment, string? etag, CancellationToken cancellationToken) =>
        state.TrySaveAsync(RunSegmentPrefix + segment.PlatformRunId, segment, etag, timeToLive: null, cancellationToken);

    public Task<StateEntry<PendingReceipts>?> GetPendingReceiptsAsync(CancellationToken cancellationToken) =>
        state.GetAsync<PendingReceipts>(PendingReceiptsKey, cancellationToken);

    public Task<bool> TrySavePendingReceiptsAsync(PendingReceipts pending, string? etag, CancellationToken cancellationToken) =>
        state.TrySaveAsync(PendingReceiptsKey, pending, etag, timeToLive: null, cancellationToken);

    public static string ReceiptIndexKey(string receiptId) => ReceiptIndexPrefix + receiptId;

    private static List<StateWrite> Sorted(List<StateWrite> writes)
    {
        writes.Sort((left, right) => StringComparer.Ordinal.Compare(left.Key, right.Key));
        return writes;
    }
}

/// <summary>A state row kept changing under concurrent writers (or a write reported an impossible conflict): retryable.</summary>
public sealed class StoreContentionException(string message) : Exception(message);
