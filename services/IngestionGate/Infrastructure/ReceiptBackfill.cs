using IngestionGate.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Telemetry;

namespace IngestionGate.Infrastructure;

/// <summary>
/// Writes ADMIT receipts that lag their commit point (CONTRACTS §4: the row is flagged <c>receipt_write_failed</c>
/// and a backfill writes the receipt later). The keys wait in the durable <c>receipt_backfill</c> list, so a restart
/// loses none; every <see cref="IngestionGateOptions.ReceiptBackfillInterval"/> up to
/// <see cref="IngestionGateOptions.ReceiptBackfillBatch"/> receipts are rebuilt from their rows, written, and the
/// flags cleared. <c>GET /v1/receipts/{id}</c> repairs a lagging receipt on read as well.
/// </summary>
public sealed class ReceiptBackfill(
    AdmissionStore store,
    EvidenceStore evidence,
    IgContext context,
    CorridorCounters counters,
    IOptions<IngestionGateOptions> options,
    TimeProvider time,
    ILogger<ReceiptBackfill> logger) : BackgroundService
{
    /// <summary>Bound of the pending list; beyond it the flags on the rows remain and reads repair the receipts.</summary>
    public const int MaxPending = 10_000;

    private const string Corridor = "ig.receipts";
    private const int MaxListAttempts = 10;

    /// <summary>Flags committed rows whose ADMIT receipt could not be written and queues them for the backfill.</summary>
    public async Task ScheduleAsync(IReadOnlyCollection<string> dedupeKeys, CancellationToken cancellationToken)
    {
        if (dedupeKeys.Count == 0)
        {
            return;
        }

        counters.Record(Corridor, CorridorOutcome.Failed, count: dedupeKeys.Count);
        var rows = await store.GetManyAsync(dedupeKeys, cancellationToken);
        foreach (var entry in rows.Values.Where(e => e.Value.State == AdmissionState.Admitted && !e.Value.Admission.ReceiptWriteFailed))
        {
            var flagged = entry.Value with { Admission = entry.Value.Admission.WithReceiptWriteFailed(true, time.GetUtcNow()) };
            await store.TryReplaceAsync(flagged, entry.ETag, cancellationToken);
        }

        await UpdatePendingAsync(pending => pending.Union(dedupeKeys, StringComparer.Ordinal), cancellationToken);
    }

    /// <summary>Writes the ADMIT receipt of a committed row (idempotent) and returns it.</summary>
    public async Task<Receipt> WriteAdmitReceiptAsync(AdmissionRow row, CancellationToken cancellationToken)
    {
        var receipt = Receipt.ForAdmitted(row.Admission, context.Provenance);
        await evidence.WriteReceiptAsync(receipt, cancellationToken);
        return receipt;
    }

    /// <summary>One round: returns how many receipts were written.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var pending = await store.GetPendingReceiptsAsync(cancellationToken);
        if (pending is null || pending.Value.DedupeKeys.Count == 0)
        {
            return 0;
        }

        var round = pending.Value.DedupeKeys.Take(options.Value.ReceiptBackfillBatch).ToList();
        var rows = await store.GetManyAsync(round, cancellationToken);
        var settled = new List<string>();
        var written = 0;
        foreach (var key in round)
        {
            if (!rows.TryGetValue(key, out var entry) || entry.Value.State != AdmissionState.Admitted)
            {
                settled.Add(key);
                continue;
            }

            try
            {
                await WriteAdmitReceiptAsync(entry.Value, cancellationToken);
                var cleared = entry.Value with { Admission = entry.Value.Admission.WithReceiptWriteFailed(false, time.GetUtcNow()) };
                await store.TryReplaceAsync(cleared, entry.ETag, cancellationToken);
                settled.Add(key);
                written++;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Backfill of the receipt of admission {DedupeKey} failed; it stays queued", key);
            }
        }

        if (settled.Count > 0)
        {
            await UpdatePendingAsync(keys => keys.Except(settled, StringComparer.Ordinal), cancellationToken);
        }

        counters.Record(Corridor, CorridorOutcome.Completed, count: written);
        return written;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReceiptBackfillInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Receipt backfill round failed; retrying next round");
            }
        }
    }

    private async Task UpdatePendingAsync(Func<IEnumerable<string>, IEnumerable<string>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxListAttempts; attempt++)
        {
            var entry = await store.GetPendingReceiptsAsync(cancellationToken);
            var keys = change(entry?.Value.DedupeKeys ?? []).Distinct(StringComparer.Ordinal).ToList();
            if (keys.Count > MaxPending)
            {
                logger.LogError(
                    "{Count} receipts wait for the backfill, more than {Max}; the rest keep their receipt_write_failed flag and are repaired on read",
                    keys.Count, MaxPending);
                keys = keys[..MaxPending];
            }

            if (await store.TrySavePendingReceiptsAsync(new PendingReceipts(keys), entry?.ETag, cancellationToken))
            {
                return;
            }
        }

        throw new StoreContentionException("The receipt backfill list kept changing under concurrent writers.");
    }
}
