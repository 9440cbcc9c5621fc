using System.Collections.Concurrent;
using System.Text.Json;
using FeatureStore.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Infrastructure;

/// <summary>What became of a delivered record.</summary>
public enum ArchiveResult
{
    Archived,
    AlreadyArchived,
    Parked,
}

/// <summary>
/// The archive writer: makes each delivered record durable before the binding gets its 2xx. An archivable record is
/// written once to its spool key (a redelivery finds the same envelope there, or in what <see cref="ArchiveCompactor"/>
/// just compacted, and stops) and handed to the compactor; anything else is parked as a dead letter. A failed
/// object-store write throws (the endpoint answers 500 and the inbound policy redelivers); after <see cref="FeatureStoreOptions.ArchiveAttemptsBeforeParking"/> failures the record is parked,
/// in the fallback state store if the object store refuses that too. Only a failure of both throws.
/// </summary>
public sealed class ArchiveWriter(
    StreamRecordReader reader,
    IObjectStore objects,
    ArchiveCompactor compactor,
    DeadLetterParking parking,
    IOptions<FeatureStoreOptions> options,
    TimeProvider time,
    ILogger<ArchiveWriter> logger)
{
    private const string JsonContentType = "application/json";

    // Failed attempts per delivered record (by content digest), this process only: enough to stop retrying within one
    // redelivery cycle; a record that succeeds or is parked leaves the map.
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    public async Task<ArchiveResult> HandleAsync(EventBusDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var now = time.GetUtcNow();
        var outcome = reader.Read(delivery.Stream, delivery.Record, now);
        if (!outcome.Archivable)
        {
            logger.LogWarning("Record from {Component} is not archivable ({Reason}); parking it", delivery.Component, outcome.ReasonCode);
            await parking.ParkAsync(delivery, outcome.PlatformRunId, outcome.ReasonCode!, outcome.Detail!, now, cancellationToken);
            return ArchiveResult.Parked;
        }

        var recordDigest = Digests.Sha256Hex(delivery.Record.Span);
        try
        {
            var result = await WriteOnceAsync(outcome, cancellationToken);
            _failures.TryRemove(recordDigest, out _);
            return result;
        }
        catch (ObjectConflictException conflict)
        {
            logger.LogError("A different envelope is already archived at {Key}; parking the delivered one", conflict.Key);
            await parking.ParkAsync(delivery, outcome.PlatformRunId, DeadLetterReason.ArchiveConflict, $"a different envelope is archived at {conflict.Key}", now, cancellationToken);
            return ArchiveResult.Parked;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var failures = _failures.AddOrUpdate(recordDigest, 1, (_, n) => n + 1);
            if (failures < options.Value.ArchiveAttemptsBeforeParking)
            {
                throw;
            }

            logger.LogError(exception, "Archiving a record from {Component} failed {Failures} times; parking it", delivery.Component, failures);
            await parking.ParkAsync(delivery, outcome.PlatformRunId, DeadLetterReason.ObjectStoreUnavailable, exception.Message, now, cancellationToken);
            _failures.TryRemove(recordDigest, out _);
            return ArchiveResult.Parked;
        }
    }

    /// <summary>
    /// Spooled or just compacted with the same envelope → nothing to do (its archived_at_utc is the first one); with
    /// another envelope → <see cref="ObjectConflictException"/>; absent → written to the spool and handed to the
    /// compactor. Two deliveries racing on one absent key both write the same envelope and differ only in
    /// archived_at_utc, so whichever lands last is as good; readers keep one copy per name.
    /// </summary>
    private async Task<ArchiveResult> WriteOnceAsync(ReadOutcome outcome, CancellationToken cancellationToken)
    {
        var spoolKey = outcome.Key!;
        var envelopeDigest = Digests.Sha256Hex(CanonicalJson.Serialize(outcome.Record!.Envelope));
        if (await objects.GetAsync(spoolKey, cancellationToken) is { } existing)
        {
            var archived = JsonSerializer.Deserialize<ArchiveRecord>(existing, PlatformJson.Options);
            return archived is not null && Digests.Sha256Hex(CanonicalJson.Serialize(archived.Envelope)) == envelopeDigest
                ? ArchiveResult.AlreadyArchived
                : throw new ObjectConflictException(spoolKey);
        }

        // Asked after the spool read: the compactor remembers a key before deleting it, so a spool object that was
        // gone when read is found here; asked before, a compaction in between would be missed and archived twice.
        if (compactor.TryGetCompacted(spoolKey, out var compacted))
        {
            return compacted == envelopeDigest ? ArchiveResult.AlreadyArchived : throw new ObjectConflictException(spoolKey);
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(outcome.Record, PlatformJson.Options);
        await objects.PutIdenticalAsync(spoolKey, bytes, JsonContentType, cancellationToken);
        compactor.Enqueue(outcome.PlatformRunId!, outcome.Stream!, new NamedRecord(outcome.RecordName!, bytes), envelopeDigest);
        return ArchiveResult.Archived;
    }
}
