using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// Why IG quarantined an event (CONTRACTS §4; schemas/ig/quarantine_record.v1.schema.json), stored write-once at
/// <see cref="IgObjectKeys.QuarantineRecord"/>. It holds the envelope without its payload; the payload is the
/// separate object its <see cref="EvidenceRefs"/> name.
/// </summary>
public sealed record QuarantineRecord(
    string QuarantineId,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ReceivedAtUtc,
    IReadOnlyList<string> ReasonCodes,
    PolicyRev PolicyRev,
    IgActor Actor,
    Provenance Provenance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? Envelope,
    IReadOnlyList<EvidenceRef> EvidenceRefs)
{
    public static QuarantineRecord Create(Quarantine quarantine, PolicyRev policyRev, Provenance provenance, DateTimeOffset receivedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        ArgumentNullException.ThrowIfNull(policyRev);
        ArgumentNullException.ThrowIfNull(provenance);
        IReadOnlyList<EvidenceRef> evidence = quarantine.Payload is { } payload
            ? [EvidenceRef.For(EvidenceRefType.QuarantinePayload, IgObjectKeys.QuarantinePayload(quarantine.PlatformRunId, quarantine.QuarantineId), payload)]
            : [];
        return new QuarantineRecord(
            quarantine.QuarantineId,
            UtcTimestamp.Truncate(receivedAtUtc),
            quarantine.ReasonCodes,
            policyRev,
            quarantine.Actor,
            provenance,
            quarantine.Envelope,
            evidence);
    }

    /// <summary>The stored bytes; the receipt's evidence ref carries their SHA-256, so write exactly these.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, PlatformJson.Options);
}
