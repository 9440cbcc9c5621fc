using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using Json.Schema;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// The pure part of IG's admission pipeline (CONTRACTS §4), in the contract's order: authz for the event's class →
/// envelope schema → required pins → schema policy, schema_version and payload schema → payload_hash and
/// dedupe_key → partition key. The first failing step decides; nothing is read from or written to any store here.
/// The caller's X-Policy-Rev (<see cref="Platform.Substrate.Errors.ExpectedPolicyRev"/>), dedupe, publish and receipts belong to the service.
/// </summary>
public sealed class AdmissionEvaluator(IgPolicy policy, IWriterAuthorizer authorizer)
{
    private static readonly EvaluationOptions FlagOnly = new() { OutputFormat = OutputFormat.Flag };

    /// <summary>Evaluates a single-event request body.</summary>
    public AdmissionOutcome Evaluate(ReadOnlyMemory<byte> body, ActorContext caller)
    {
        if (!JsonBody.TryParse(body, out var document, out var error))
        {
            return new Malformed(error);
        }

        using (document)
        {
            return Evaluate(document.RootElement, caller);
        }
    }

    /// <summary>Evaluates one envelope (a batch item of a body parsed with <see cref="JsonBody.TryParse"/>).</summary>
    public AdmissionOutcome Evaluate(JsonElement item, ActorContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var actor = IgActor.From(caller);

        // Only I-JSON objects are read at all: with duplicate member names two readers could see two different events.
        if (!TryCanonicalize(item, out var canonical) || item.ValueKind != JsonValueKind.Object)
        {
            return Quarantine.Create(null, canonical ?? JsonMarshal.GetRawUtf8Value(item).ToArray(), actor, [ReasonCode.EnvelopeInvalid], null, null);
        }

        byte[] record = canonical;

        var eventType = StringMember(item, "event_type");
        var eventClass = eventType is null ? null : policy.ClassOf(eventType);
        if (eventClass is not null && !authorizer.IsAllowed(caller, eventClass.Name))
        {
            return new Forbidden(eventClass.Name);
        }

        IReadOnlyList<string> noted = ActorClaims.Present(item, caller) ? [ReasonCode.ActorClaimIgnored] : [];
        Quarantine Quarantined(string reason, EventFacts? facts, string? dedupeKey = null, PayloadHash? payloadHash = null) =>
            Quarantine.Create(item, record, actor, [reason, .. noted], facts, facts?.PlatformRunId ?? ValidRunId(item), dedupeKey, payloadHash);

        if (!policy.EnvelopeSchema.Evaluate(item, FlagOnly).IsValid || !TryReadFacts(item, eventClass, out var facts))
        {
            return Quarantined(ReasonCode.EnvelopeInvalid, null);
        }

        if (eventClass is not null && eventClass.RequiredPins.Any(pin => !item.TryGetProperty(pin, out _)))
        {
            return Quarantined(ReasonCode.PinsMissing, facts);
        }

        if (policy.SchemaPolicyOf(facts.EventType) is not { } typePolicy)
        {
            return Quarantined(ReasonCode.SchemaPolicyMissing, facts);
        }

        var schemaVersion = StringMember(item, "schema_version");
        if (schemaVersion is null && typePolicy.SchemaVersionRequired)
        {
            return Quarantined(ReasonCode.SchemaVersionRequired, facts);
        }

        if (schemaVersion is not null && !typePolicy.AllowedSchemaVersions.Contains(schemaVersion))
        {
            return Quarantined(ReasonCode.SchemaVersionNotAllowed, facts);
        }

        if (!item.TryGetProperty("payload", out var payload) || !typePolicy.PayloadSchema.Evaluate(payload, FlagOnly).IsValid)
        {
            return Quarantined(ReasonCode.SchemaFail, facts);
        }

        var platformRunId = facts.PlatformRunId
            ?? throw new InvalidOperationException("Every class requires platform_run_id (IgPolicy.Load checks it), so the pins step has it.");
        var payloadHash = PayloadHash.Of(facts.EventType, schemaVersion, payload);
        var dedupeKey = EventIds.DedupeKey(platformRunId, typePolicy.Class.Name, facts.EventId);
        var profile = typePolicy.Class.Profile;
        if (profile.PartitionKeyFor(item) is not { } partitionKey)
        {
            return Quarantined(ReasonCode.PartitionKeyMissing, facts, dedupeKey, payloadHash);
        }

        return new Admissible(
            facts.EventId,
            facts.EventType,
            typePolicy.Class.Name,
            facts.TsUtc,
            platformRunId,
            facts.ManifestFingerprint,
            schemaVersion,
            payloadHash,
            dedupeKey,
            profile.Stream,
            profile.Id,
            partitionKey,
            record,
            noted,
            actor);
    }

    private static bool TryCanonicalize(JsonElement item, [NotNullWhen(true)] out byte[]? canonical)
    {
        try
        {
            canonical = CanonicalJson.Serialize(item);
            return true;
        }
        catch (CanonicalJsonException)
        {
            canonical = null;
            return false;
        }
    }

    // What the schema cannot check: real calendar instants and a real run id.
    private static bool TryReadFacts(JsonElement envelope, EventClassPolicy? eventClass, [NotNullWhen(true)] out EventFacts? facts)
    {
        facts = null;
        var platformRunId = StringMember(envelope, "platform_run_id");
        if (!ProducerTimestamp.TryParse(StringMember(envelope, "ts_utc"), out var tsUtc)
            || (StringMember(envelope, "emitted_at_utc") is { } emitted && !ProducerTimestamp.TryParse(emitted, out _))
            || (platformRunId is not null && !PlatformRunId.IsValid(platformRunId)))
        {
            return false;
        }

        // The envelope schema guarantees the required members are strings.
        facts = new EventFacts(
            StringMember(envelope, "event_id")!,
            StringMember(envelope, "event_type")!,
            eventClass?.Name,
            UtcTimestamp.Truncate(tsUtc),
            StringMember(envelope, "manifest_fingerprint")!,
            platformRunId);
        return true;
    }

    private static string? ValidRunId(JsonElement envelope) =>
        StringMember(envelope, "platform_run_id") is { } runId && PlatformRunId.IsValid(runId) ? runId : null;

    private static string? StringMember(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
