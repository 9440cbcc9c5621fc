using System.Text.Json;
using IngestionGate.Domain;
using Microsoft.Extensions.Logging;
using Platform.Substrate.BuildingBlocks;

namespace IngestionGate.Infrastructure;

/// <summary>
/// IG's objects in the object store: receipts, quarantine records and quarantined payloads, all write-once.
/// A receipt id or quarantine id already taken by different bytes keeps its first object: evidence is never
/// overwritten, and the caller is told which object stands.
/// </summary>
public sealed class EvidenceStore(IObjectStore objects, ILogger<EvidenceStore> logger)
{
    private const string JsonContentType = "application/json";

    /// <summary>Writes the receipt if its key is free and returns the key.</summary>
    public async Task<string> WriteReceiptAsync(Receipt receipt, CancellationToken cancellationToken)
    {
        var key = IgObjectKeys.Receipt(receipt.PlatformRunId, receipt.ReceiptId);
        await WriteOnceAsync(key, receipt.ToUtf8Json(), cancellationToken);
        return key;
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

    /// <summary>Null when <paramref name="content"/> was written or was already there; the standing bytes when they differ.</summary>
    private async Task<byte[]?> WriteOnceAsync(string key, byte[] content, CancellationToken cancellationToken)
    {
        try
        {
            await objects.CreateIfAbsentAsync(key, content, JsonContentType, cancellationToken);
            return null;
        }
        catch (ObjectConflictException)
        {
            logger.LogInformation("Object {Key} already holds different content; the first write stands", key);
            return await objects.GetAsync(key, cancellationToken)
                ?? throw new InvalidOperationException($"The object store reported a conflict at '{key}' but holds no object there.");
        }
    }
}
