using System.Text.Json;
using FeatureStore.Domain;
using Microsoft.Extensions.Logging;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Infrastructure;

/// <summary>
/// Parks a record that could not be archived: in the object store at
/// <see cref="ArchiveKeys.DeadLetter"/>, or, when the object store refuses, in the fallback state store under
/// <c>dead_letters/&lt;key&gt;</c>. The first dead letter of a record stays (a redelivery parks nothing new).
/// Throws only when neither store takes it, so the delivery is answered 500 and redelivered.
/// </summary>
public sealed class DeadLetterParking(IObjectStore objects, DaprStateStore fallback, ILogger<DeadLetterParking> logger)
{
    public const string FallbackKeyPrefix = "dead_letters/";

    private const string JsonContentType = "application/json";

    public async Task<string> ParkAsync(
        EventBusDelivery delivery, string? platformRunId, string reasonCode, string detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var sha = Digests.Sha256Hex(delivery.Record.Span);
        var id = DeadLetter.IdFor(delivery.Component, sha);
        var key = ArchiveKeys.DeadLetter(platformRunId, delivery.Stream, id);
        var letter = new DeadLetter(
            DeadLetter.Version, id, delivery.Stream.StreamName, delivery.Component, PlatformRunId.IsValid(platformRunId) ? platformRunId : null,
            reasonCode, Truncate(detail), sha, Convert.ToBase64String(delivery.Record.Span), UtcTimestamp.Truncate(now));
        try
        {
            if (await objects.GetAsync(key, cancellationToken) is null)
            {
                await objects.PutIdenticalAsync(key, JsonSerializer.SerializeToUtf8Bytes(letter, PlatformJson.Options), JsonContentType, cancellationToken);
            }

            return key;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(exception, "The object store refused dead letter {Key}; parking it in {Store}", key, fallback.ComponentName);
        }

        var fallbackKey = FallbackKeyPrefix + key;
        // First-write: a dead letter parked earlier stays as it was.
        await fallback.TrySaveAsync(fallbackKey, letter, expectedETag: null, timeToLive: null, cancellationToken);

        return fallbackKey;
    }

    // A detail is a diagnosis, not evidence: the record itself is kept whole.
    private static string Truncate(string detail) => detail.Length <= 2000 ? detail : detail[..2000];
}
