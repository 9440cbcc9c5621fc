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
    /// The first write of the ADMIT receipt of an admission this process just committed: nothing can be at its key yet
    /// (the key follows from the dedupe_key, and an admission commits once), and any other write of it (a repair on
    /// read, the backfill) rebuilds the receipt from the same committed row, so the write needs no look first. (Only
    /// a repair racing this write from a replica of another release could differ, in service_release_id.)
    /// </summary>
    public async Task WriteNewAdmitReceiptAsync(Receipt receipt, CancellationToken cancellationToken)
    {
        if (receipt.Decision != ReceiptDecision.Admit)
        {
            throw new ArgumentException("Only an ADMIT receipt is fully determined by its key.", nameof(receipt));
        }

        var key = IgObjectKeys.Receipt(receipt.PlatformRunId, receipt.ReceiptId);
        await BoundedAsync(() => objects.PutIdenticalAsync(key, receipt.ToUtf8Json(), JsonContentType, cancellationToken), cancellationToken);
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

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => objects.GetAsync(key, cancellationToken);

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
