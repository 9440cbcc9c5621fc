using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>Why a delivered record could not be archived.</summary>
public static class DeadLetterReason
{
    public const string RecordNotJson = "RECORD_NOT_JSON";
    public const string EnvelopeInvalid = "ENVELOPE_INVALID";
    public const string RunIdMissing = "RUN_ID_MISSING";
    public const string WrongStream = "WRONG_STREAM";
    public const string ArchiveConflict = "ARCHIVE_CONFLICT";
    public const string ObjectStoreUnavailable = "OBJECT_STORE_UNAVAILABLE";
}

/// <summary>
/// A record parked instead of archived (schemas/ofs/dead_letter.v1.schema.json): the raw bytes as delivered (base64,
/// they may not even be text), their digest, the reason and when it was parked. Nothing delivered is ever dropped.
/// </summary>
public sealed record DeadLetter(
    string SchemaVersion,
    string DeadLetterId,
    string Stream,
    string Component,
    string? PlatformRunId,
    string ReasonCode,
    string Detail,
    string RecordSha256,
    string RecordBase64,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ParkedAtUtc)
{
    public const string Version = "ofs.dead_letter.v1";

    /// <summary>
    /// <c>dead_letter_id</c> = hex32 of H(component + ":" + record_sha256): one dead letter per delivered record and
    /// input binding, however often it is redelivered and whatever the reason was the first time.
    /// </summary>
    public static string IdFor(string component, string recordSha256) => Digests.Hex32(Digests.Of($"{component}:{recordSha256}"));
}
