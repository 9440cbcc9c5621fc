using System.Collections.Concurrent;
using System.Text.Json;
using Dapr;
using IngestionGate.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;

namespace IngestionGate.Infrastructure;

/// <summary>
/// IG's objects in the object store: receipts, quarantine records and quarantined payloads, all write-once.
/// A receipt id or quarantine id already taken by different bytes keeps its first object: evidence is never
/// overwritten, and the caller is told which object stands. At most
/// <see cref="IngestionGateOptions.ObjectStoreWriteConcurrency"/> writes run at once, whatever the number of
/// micro-batches: a flood of concurrent writes only queues up in the sidecar and the store.
/// </summary>
public sealed class EvidenceStore(IObjectStore objects, IOptions<IngestionGateOptions> options, ILogger<EvidenceStore> logger) : IDisposable
{
    private const string JsonContentType = "application/json";

    private const int WriteAttempts = 2;
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    private readonly SemaphoreSlim _writes = new(options.Value.ObjectStoreWriteConcurrency);
    private readonly ConcurrentDictionary<string, Task<byte[]>> _writing = new(StringComparer.Ordinal);

    /// <summary>Writes the receipt if its key is free and returns the key.</summary>
    public async Task<string> WriteReceiptAsync(Receipt receipt, CancellationToken cancellationToken)
    {
        var key = IgObjectKeys.Receipt(receipt.PlatformRunId, receipt.ReceiptId);
        await WriteOnceAsync(key, receipt.ToUtf8Json(), cancellationToken);
        return key;
    }

    /// <summary>
    /// The first write of the ADMIT receipts of one commit, as one object at <paramref name="batchKey"/>. The key
    /// follows from the publish ids of that commit (<see cref="ReceiptBatch.Id"/>), which no other commit shares, and
    /// its content from the committed rows, so the write needs no look first. (Any other write of these receipts, a
    /// repair on read or the backfill, goes to each receipt's own object.)
    /// </summary>
    public Task WriteAdmitReceiptBatchAsync(string batchKey, IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken)
    {
        if (receipts.Count == 0 || receipts.Any(r => r.Decision != ReceiptDecision.Admit))
        {
            throw new ArgumentException("A receipt batch holds one or more ADMIT receipts.", nameof(receipts));
        }

        var content = ReceiptBatch.Serialize(receipts);
        return BoundedAsync(() => objects.PutIdenticalAsync(batchKey, content, JsonContentType, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The stored bytes of receipt <paramref name="receiptId"/>: from its batch when the index names one and the batch
    /// holds it, else from its own object; null when neither is written.
    /// </summary>
    public async Task<byte[]?> ReadReceiptAsync(ReceiptIndexEntry index, string receiptId, CancellationToken cancellationToken)
    {
        if (index.BatchKey is { } batchKey
            && await objects.GetAsync(batchKey, cancellationToken) is { } batch
            && ReceiptBatch.Find(batch, receiptId) is { } stored)
        {
            return stored;
        }

        return await objects.GetAsync(index.ObjectKey, cancellationToken);
    }

    /// <summary>
    /// Writes the payload evidence and the record of <paramref name="quarantine"/> and returns the record that stands:
    /// a retry of the same quarantine (same id) keeps the record of the first attempt, whose bytes the receipt's
    /// evidence ref must hash.
    /// </summary>
    public async Task<QuarantineRecord> WriteQuarantineAsync(Quarantine quarantine, QuarantineRecord record, CancellationToken cancellationToken)
    {
        if (quarantine.Payload is { } payload)
        {
            await WriteOnceAsync(IgObjectKeys.QuarantinePayload(quarantine.PlatformRunId, quarantine.QuarantineId), payload, cancellationToken);
        }

        var key = IgObjectKeys.QuarantineRecord(quarantine.PlatformRunId, quarantine.QuarantineId);
        var stored = await WriteOnceAsync(key, record.ToUtf8Json(), cancellationToken);
        return stored is null
            ? record
            : JsonSerializer.Deserialize<QuarantineRecord>(stored, PlatformJson.Options)
                ?? throw new InvalidDataException($"The quarantine record at '{key}' is JSON null.");
    }

    public void Dispose() => _writes.Dispose();

    /// <summary>
    /// Null when <paramref name="content"/> was written or was already there; the standing bytes when they differ.
    /// Writers of one key in this process share one write (many DUPLICATE answers of one event name one receipt).
    /// </summary>
    private async Task<byte[]?> WriteOnceAsync(string key, byte[] content, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _writing.GetOrAdd(key, mine.Task);
        if (shared == mine.Task)
        {
            try
            {
                mine.SetResult(await StandingAfterWriteAsync(key, content, cancellationToken));
            }
            catch (Exception exception)
            {
                mine.SetException(exception);
            }
            finally
            {
                _writing.TryRemove(new KeyValuePair<string, Task<byte[]>>(key, mine.Task));
            }
        }

        var standing = await shared.WaitAsync(cancellationToken);
        return standing.AsSpan().SequenceEqual(content) ? null : standing;
    }

    /// <summary>
    /// Writes <paramref name="content"/> unless the key is taken and returns the bytes that stand there. A failed
    /// attempt is tried once more: write-once is idempotent, and a read that overlaps another process's write of the
    /// same key can fail (s3rver replaces an object in place, so the read sees a torn object and its checksum fails).
    /// </summary>
    private async Task<byte[]> StandingAfterWriteAsync(string key, byte[] content, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await BoundedAsync(() => objects.CreateIfAbsentAsync(key, content, JsonContentType, cancellationToken), cancellationToken);
                return content;
            }
            catch (ObjectConflictException)
            {
                logger.LogInformation("Object {Key} already holds different content; the first write stands", key);
                return await objects.GetAsync(key, cancellationToken)
                    ?? throw new InvalidOperationException($"The object store reported a conflict at '{key}' but holds no object there.");
            }
            catch (DaprException exception) when (attempt < WriteAttempts && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Writing object {Key} failed (attempt {Attempt}); trying again", key, attempt);
                await Task.Delay(RetryPause, cancellationToken);
            }
        }
    }

    private async Task BoundedAsync(Func<Task> write, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await write();
        }
        finally
        {
            _writes.Release();
        }
    }
}
