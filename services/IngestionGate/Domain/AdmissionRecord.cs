using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

public enum AdmissionState
{
    /// <summary>Recorded before the publish; a crash here leaves the event provably unpublished or ambiguous, never lost.</summary>
    [JsonStringEnumMemberName("PUBLISH_IN_FLIGHT")]
    PublishInFlight = 1,

    /// <summary>The commit point: published, with eb_ref and payload_hash.</summary>
    [JsonStringEnumMemberName("ADMITTED")]
    Admitted = 2,

    /// <summary>The publish failed or timed out with an unknown outcome; never republished automatically.</summary>
    [JsonStringEnumMemberName("PUBLISH_AMBIGUOUS")]
    PublishAmbiguous = 3,
}

/// <summary>
/// The <c>ig-admission</c> row of one event, keyed by <see cref="DedupeKey"/> (CONTRACTS §4). It holds everything
/// the ADMIT and DUPLICATE receipts need, so a receipt whose write failed can be backfilled from the row alone.
/// Transitions: <see cref="InFlight"/> → <see cref="Admit"/> | <see cref="MarkAmbiguous"/>; an ambiguous row is
/// resolved by <see cref="Admit"/> (found on the stream) or <see cref="Republish"/> (an operator's decision).
/// </summary>
public sealed record AdmissionRecord(
    string DedupeKey,
    AdmissionState State,
    PayloadHash PayloadHash,
    string EventId,
    string EventType,
    string EventClass,
    string PlatformRunId,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset TsUtc,
    string ManifestFingerprint,
    string PartitioningProfileId,
    string PartitionKey,
    string Stream,
    int PublishAttempt,
    string PublishId,
    EbRef? EbRef,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset? AdmittedAtUtc,
    string? ReceiptId,
    bool ReceiptWriteFailed,
    IReadOnlyList<string> ReasonCodes,
    PolicyRev PolicyRev,
    IgActor Actor,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset CreatedAtUtc,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset UpdatedAtUtc)
{
    /// <summary>The row written before the first publish of <paramref name="admissible"/>.</summary>
    public static AdmissionRecord InFlight(Admissible admissible, PolicyRev policyRev, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(admissible);
        ArgumentNullException.ThrowIfNull(policyRev);
        var at = UtcTimestamp.Truncate(now);
        return new AdmissionRecord(
            admissible.DedupeKey,
            AdmissionState.PublishInFlight,
            admissible.PayloadHash,
            admissible.EventId,
            admissible.EventType,
            admissible.EventClass,
            admissible.PlatformRunId,
            admissible.TsUtc,
            admissible.ManifestFingerprint,
            admissible.PartitioningProfileId,
            admissible.PartitionKey,
            admissible.Stream.StreamName,
            PublishAttempt: 1,
            EventIds.PublishId(admissible.DedupeKey, 1),
            EbRef: null,
            AdmittedAtUtc: null,
            ReceiptId: null,
            ReceiptWriteFailed: false,
            admissible.ReasonCodes,
            policyRev,
            admissible.Actor,
            at,
            at);
    }

    /// <summary>The commit: published at <paramref name="ebRef"/> (from in flight, or from ambiguous once found on the stream).</summary>
    public AdmissionRecord Admit(EbRef ebRef, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ebRef);
        Require(nameof(Admit), AdmissionState.PublishInFlight, AdmissionState.PublishAmbiguous);
        var at = UtcTimestamp.Truncate(now);
        return this with
        {
            State = AdmissionState.Admitted,
            EbRef = ebRef,
            AdmittedAtUtc = at,
            ReceiptId = IgIds.ReceiptId(ReceiptDecision.Admit, DedupeKey),
            UpdatedAtUtc = at,
        };
    }

    /// <summary>The publish failed or timed out: the outcome is unknown, so the row waits for a reconciler or an operator.</summary>
    public AdmissionRecord MarkAmbiguous(DateTimeOffset now)
    {
        Require(nameof(MarkAmbiguous), AdmissionState.PublishInFlight);
        return this with { State = AdmissionState.PublishAmbiguous, UpdatedAtUtc = UtcTimestamp.Truncate(now) };
    }

    /// <summary>An operator decided an ambiguous publish did not land: a new attempt with a new publish id.</summary>
    public AdmissionRecord Republish(DateTimeOffset now)
    {
        Require(nameof(Republish), AdmissionState.PublishAmbiguous);
        return this with
        {
            State = AdmissionState.PublishInFlight,
            PublishAttempt = PublishAttempt + 1,
            PublishId = EventIds.PublishId(DedupeKey, PublishAttempt + 1),
            UpdatedAtUtc = UtcTimestamp.Truncate(now),
        };
    }

    /// <summary>Flags (or clears, after the backfill) a failed write of the ADMIT receipt of a committed row.</summary>
    public AdmissionRecord WithReceiptWriteFailed(bool failed, DateTimeOffset now)
    {
        Require(nameof(WithReceiptWriteFailed), AdmissionState.Admitted);
        return this with { ReceiptWriteFailed = failed, UpdatedAtUtc = UtcTimestamp.Truncate(now) };
    }

    /// <summary>The stored bytes (compact JSON, snake_case).</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, PlatformJson.Options);

    private void Require(string transition, params AdmissionState[] from)
    {
        if (!from.Contains(State))
        {
            throw new InvalidOperationException($"Admission {DedupeKey}: {transition} is not allowed from {State}.");
        }
    }
}
