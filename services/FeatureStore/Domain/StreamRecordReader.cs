using System.Text.Json;
using Json.Schema;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>
/// What a delivered record is: archivable as <see cref="RecordName"/> of <see cref="Stream"/> (spooled at
/// <see cref="Key"/>), or a dead letter with a reason.
/// </summary>
public sealed record ReadOutcome(string? PlatformRunId, EventStream? Stream, string? RecordName, string? Key, ArchiveRecord? Record, string? ReasonCode, string? Detail)
{
    public bool Archivable => Record is not null;

    public static ReadOutcome Archive(string platformRunId, EventStream stream, string recordName, ArchiveRecord record) =>
        new(platformRunId, stream, recordName, ArchiveKeys.Spool(platformRunId, stream, recordName), record, null, null);

    public static ReadOutcome Park(string? platformRunId, string reasonCode, string detail) => new(platformRunId, null, null, null, null, reasonCode, detail);
}

/// <summary>
/// Turns the bytes an input binding delivered into an archive record: strict JSON, the envelope schema
/// (CONTRACTS §2), a valid platform_run_id (the archive is per run), an event_type that belongs on the stream, and
/// the origin eb_ref and payload_hash IG gave it. Pure: no I/O.
/// </summary>
public sealed class StreamRecordReader(JsonSchema envelopeSchema, OriginPolicy origins)
{
    public const string EnvelopeSchemaFile = "event_envelope.v1.schema.json";

    public static StreamRecordReader Load(string schemasDirectory) =>
        new(JsonSchema.FromFile(Path.Combine(schemasDirectory, EnvelopeSchemaFile), new BuildOptions { SchemaRegistry = new SchemaRegistry() }),
            OriginPolicy.Load(schemasDirectory));

    public ReadOutcome Read(EventStream stream, ReadOnlyMemory<byte> record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonElement envelope;
        try
        {
            using var document = JsonDocument.Parse(record);
            envelope = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            return ReadOutcome.Park(null, DeadLetterReason.RecordNotJson, exception.Message);
        }

        var runId = envelope.ValueKind == JsonValueKind.Object && envelope.TryGetProperty("platform_run_id", out var run) && run.ValueKind == JsonValueKind.String
            ? run.GetString()
            : null;
        var validation = envelopeSchema.Evaluate(envelope, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!validation.IsValid)
        {
            var errors = (validation.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
                .Take(5);
            return ReadOutcome.Park(runId, DeadLetterReason.EnvelopeInvalid, string.Join("; ", errors));
        }

        if (!PlatformRunId.IsValid(runId))
        {
            return ReadOutcome.Park(null, DeadLetterReason.RunIdMissing, "the archive is kept per run and the envelope names none");
        }

        var eventType = envelope.GetProperty("event_type").GetString()!;
        var eventId = envelope.GetProperty("event_id").GetString()!;
        if (!FeatureEvent.TryParseUtc(envelope.GetProperty("ts_utc").GetString(), out var tsUtc))
        {
            return ReadOutcome.Park(runId, DeadLetterReason.EnvelopeInvalid, "ts_utc is not an RFC 3339 UTC timestamp");
        }

        if (!origins.TryOrigin(stream, eventType, runId!, eventId, envelope, out var origin, out var problem))
        {
            return ReadOutcome.Park(runId, DeadLetterReason.WrongStream, problem!);
        }

        if (!envelope.TryGetProperty("payload", out var payload))
        {
            return ReadOutcome.Park(runId, DeadLetterReason.EnvelopeInvalid, "payload missing: every published event type has a payload schema");
        }

        var schemaVersion = envelope.TryGetProperty("schema_version", out var version) ? version.GetString() : null;
        var archived = new ArchiveRecord(
            ArchiveRecord.Version,
            envelope,
            origin!,
            PayloadHash.Of(eventType, schemaVersion, payload),
            UtcTimestamp.Truncate(now));
        return ReadOutcome.Archive(runId!, stream, ArchiveKeys.RecordName(tsUtc, origin!.Offset), archived);
    }
}
