using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace Platformctl.Produce.Contracts;

/// <summary>
/// The envelope a producer posts to IG (CONTRACTS §2, schemas/event_envelope.v1.schema.json). emitted_at_utc, trace_id
/// and span_id are left out on purpose: they would make the stream differ between two runs of the same scenario.
/// </summary>
public sealed record EventEnvelope(
    string EventId,
    string EventType,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset TsUtc,
    string ManifestFingerprint,
    string ParameterHash,
    long Seed,
    string ScenarioId,
    string PlatformRunId,
    string ScenarioRunId,
    string SchemaVersion,
    string? ParentEventId,
    object Payload)
{
    public const string TransactionType = "transaction";
    public const string FlowAnchorType = "flow_anchor";
    public const string SchemaVersionV1 = "v1";

    /// <summary>The canonical JSON (RFC 8785) of the envelope: the exact bytes written and sent.</summary>
    public byte[] ToCanonicalJson() => CanonicalJson.Serialize(this);
}

[JsonConverter(typeof(JsonStringEnumConverter<PaymentChannel>))]
public enum PaymentChannel
{
    [JsonStringEnumMemberName("card_present")]
    CardPresent,

    [JsonStringEnumMemberName("card_not_present")]
    CardNotPresent,

    [JsonStringEnumMemberName("ecommerce")]
    Ecommerce,
}

/// <summary>schemas/payloads/transaction.v1.schema.json: amount in major units with two decimals.</summary>
public sealed record TransactionPayload(
    string TransactionId,
    string AccountId,
    string CardId,
    string MerchantId,
    string FlowId,
    decimal Amount,
    string Currency,
    string Mcc,
    PaymentChannel Channel,
    string DeviceId,
    string? IpCountry);

/// <summary>schemas/payloads/flow_anchor.v1.schema.json: the session context every transaction's flow starts with.</summary>
public sealed record FlowAnchorPayload(
    string FlowId,
    string AccountId,
    string DeviceId,
    PaymentChannel Channel,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset SessionStartedAtUtc,
    string IpCountry,
    string? MerchantId);
