using System.Text.Json;

namespace Platform.Substrate.Pinning;

/// <summary>
/// <c>payload_hash</c> = <c>{algo: "sha256", hex: H({event_type, schema_version, payload})}</c>; an absent
/// schema_version is left out of the hashed object (never written as null). IG computes it at admission (CONTRACTS
/// §4); consumers such as the OFS archive compute it again from the envelope.
/// </summary>
public sealed record PayloadHash(string Algo, string Hex)
{
    public const string Sha256 = "sha256";

    public static PayloadHash Of(string eventType, string? schemaVersion, JsonElement payload) =>
        new(Sha256, Digests.Of(new HashedPayload(eventType, schemaVersion, payload)));

    private sealed record HashedPayload(string EventType, string? SchemaVersion, JsonElement Payload);
}
