using System.Buffers;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>What <see cref="AdmissionEvaluator"/> concludes about one submitted envelope, before dedupe and publish.</summary>
public abstract record AdmissionOutcome;

/// <summary>The body is not JSON (bad UTF-8, syntax, depth): a request error, answered 400; nothing is recorded.</summary>
public sealed record Malformed(string Detail) : AdmissionOutcome;

/// <summary>The caller lacks <c>producer:&lt;event_class&gt;</c>: answered 403; nothing is recorded.</summary>
public sealed record Forbidden(string EventClass) : AdmissionOutcome;

/// <summary>What the envelope says about the event, once it has passed the envelope schema.</summary>
/// <param name="EventClass">Null when class_map.json does not know the event_type.</param>
/// <param name="TsUtc">The envelope's ts_utc, normalised to UTC microseconds.</param>
public sealed record EventFacts(
    string EventId,
    string EventType,
    string? EventClass,
    DateTimeOffset TsUtc,
    string ManifestFingerprint,
    string? PlatformRunId);

/// <summary>
/// A well-formed request carrying a bad event: it is quarantined with a receipt. <see cref="Envelope"/> is the
/// envelope without its payload (for the quarantine record); <see cref="Payload"/> the bytes of the separate,
/// access-controlled evidence object.
/// </summary>
/// <param name="ReasonCodes">One quarantine reason, followed by ACTOR_CLAIM_IGNORED when the event claimed an actor.</param>
/// <param name="PlatformRunId">A valid platform_run_id read from the envelope, even one that failed its schema, or null:
/// it decides under which run the evidence is filed.</param>
/// <param name="Event">Null when the envelope failed its schema: nothing in it is trusted for the receipt.</param>
/// <param name="Envelope">Null when the item was not a readable JSON object; the item itself is then the evidence.</param>
/// <param name="Payload">Canonical JSON of the payload, the item's bytes when <see cref="Envelope"/> is null, or null
/// when the envelope had no payload.</param>
/// <param name="DedupeKey">Set when the event got as far as dedupe (PARTITION_KEY_MISSING, PAYLOAD_HASH_MISMATCH).</param>
public sealed record Quarantine(
    string QuarantineId,
    IReadOnlyList<string> ReasonCodes,
    IgActor Actor,
    string? PlatformRunId,
    EventFacts? Event,
    JsonElement? Envelope,
    byte[]? Payload,
    string? DedupeKey = null,
    PayloadHash? PayloadHash = null) : AdmissionOutcome
{
    private const string PayloadMember = "payload";

    /// <summary>
    /// Builds the quarantine of <paramref name="item"/>, a readable JSON object (<paramref name="itemBytes"/> its
    /// canonical bytes), or, when <paramref name="item"/> is null, of an unreadable item whose bytes are the evidence.
    /// </summary>
    internal static Quarantine Create(
        JsonElement? item,
        byte[] itemBytes,
        IgActor actor,
        IReadOnlyList<string> reasonCodes,
        EventFacts? facts,
        string? platformRunId,
        string? dedupeKey = null,
        PayloadHash? payloadHash = null)
    {
        if (reasonCodes.Count == 0 || !ReasonCode.All.Contains(reasonCodes[0]) || reasonCodes[0] == ReasonCode.ActorClaimIgnored)
        {
            throw new ArgumentException("A quarantine starts with a quarantine reason code.", nameof(reasonCodes));
        }

        var quarantineId = IgIds.QuarantineId(actor.ActorId, Digests.Sha256Hex(itemBytes), reasonCodes);
        if (item is not { } envelope)
        {
            return new Quarantine(quarantineId, reasonCodes, actor, platformRunId, facts, null, itemBytes, dedupeKey, payloadHash);
        }

        byte[]? payload = envelope.TryGetProperty(PayloadMember, out var payloadElement) ? CanonicalJson.Serialize(payloadElement) : null;
        return new Quarantine(quarantineId, reasonCodes, actor, platformRunId, facts, WithoutPayload(envelope), payload, dedupeKey, payloadHash);
    }

    private static JsonElement WithoutPayload(JsonElement envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var member in envelope.EnumerateObject().Where(m => !m.NameEquals(PayloadMember)))
            {
                member.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        // Deserializing gives an element that owns its memory, so it outlives the request's document.
        return JsonSerializer.Deserialize<JsonElement>(buffer.WrittenSpan);
    }
}

/// <summary>
/// An event that passed every check: next come the dedupe lookup on <see cref="DedupeKey"/>, the admission row,
/// and the publish of <see cref="Record"/> to <see cref="Stream"/> with <see cref="PartitionKey"/>.
/// </summary>
/// <param name="TsUtc">The envelope's ts_utc, normalised to UTC microseconds (the record keeps the producer's text).</param>
/// <param name="Record">The bytes to publish: the producer's envelope unchanged in content (same members and values,
/// nothing added), in RFC 8785 canonical form, so the same event always yields the same record.</param>
/// <param name="ReasonCodes">Empty, or ACTOR_CLAIM_IGNORED.</param>
public sealed record Admissible(
    string EventId,
    string EventType,
    string EventClass,
    DateTimeOffset TsUtc,
    string PlatformRunId,
    string ManifestFingerprint,
    string? SchemaVersion,
    PayloadHash PayloadHash,
    string DedupeKey,
    EventStream Stream,
    string PartitioningProfileId,
    string PartitionKey,
    byte[] Record,
    IReadOnlyList<string> ReasonCodes,
    IgActor Actor) : AdmissionOutcome
{
    /// <summary>The quarantine of this event for a reason found after evaluation (PAYLOAD_HASH_MISMATCH at dedupe).</summary>
    public Quarantine ToQuarantine(string reasonCode)
    {
        using var document = JsonDocument.Parse(Record);
        var facts = new EventFacts(EventId, EventType, EventClass, TsUtc, ManifestFingerprint, PlatformRunId);
        return Quarantine.Create(document.RootElement, Record, Actor, [reasonCode, .. ReasonCodes], facts, PlatformRunId, DedupeKey, PayloadHash);
    }
}
