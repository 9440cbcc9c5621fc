namespace IngestionGate.Domain;

/// <summary>
/// Why an event was quarantined (CONTRACTS §4), plus <see cref="ActorClaimIgnored"/>, which only accompanies a
/// decision: the envelope or payload named an actor and IG ignored it. The spellings are those of the receipt schema.
/// </summary>
public static class ReasonCode
{
    public const string EnvelopeInvalid = "ENVELOPE_INVALID";
    public const string PinsMissing = "PINS_MISSING";
    public const string SchemaPolicyMissing = "SCHEMA_POLICY_MISSING";
    public const string SchemaFail = "SCHEMA_FAIL";
    public const string SchemaVersionRequired = "SCHEMA_VERSION_REQUIRED";
    public const string SchemaVersionNotAllowed = "SCHEMA_VERSION_NOT_ALLOWED";
    public const string PayloadHashMismatch = "PAYLOAD_HASH_MISMATCH";
    public const string PartitionKeyMissing = "PARTITION_KEY_MISSING";
    public const string PublishAmbiguous = "PUBLISH_AMBIGUOUS";
    public const string ActorClaimIgnored = "ACTOR_CLAIM_IGNORED";

    public static IReadOnlyList<string> All { get; } =
    [
        EnvelopeInvalid, PinsMissing, SchemaPolicyMissing, SchemaFail, SchemaVersionRequired, SchemaVersionNotAllowed,
        PayloadHashMismatch, PartitionKeyMissing, PublishAmbiguous, ActorClaimIgnored,
    ];
}
