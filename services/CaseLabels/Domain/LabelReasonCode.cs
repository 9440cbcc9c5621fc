namespace CaseLabels.Domain;

/// <summary>The <c>reason_code</c> of a label ack; spellings as in <c>schemas/labels/label_ack.v0.schema.json</c>.</summary>
public static class LabelReasonCode
{
    /// <summary>ACCEPTED: appended to the subject's timeline now.</summary>
    public const string New = "NEW";

    /// <summary>ACCEPTED: the same assertion was recorded before; nothing was written.</summary>
    public const string Replay = "REPLAY";

    public const string UnknownLabelType = "UNKNOWN_LABEL_TYPE";
    public const string UnknownLabelValue = "UNKNOWN_LABEL_VALUE";
    public const string TaxonomyVersionMismatch = "TAXONOMY_VERSION_MISMATCH";
    public const string ObservedBeforeEffective = "OBSERVED_BEFORE_EFFECTIVE";

    /// <summary>REJECTED: the same label_assertion_id was recorded with a different payload_hash.</summary>
    public const string PayloadHashMismatch = "PAYLOAD_HASH_MISMATCH";

    /// <summary>Advisory only: the body named an actor other than the authenticated caller, and was not believed.</summary>
    public const string ActorClaimIgnored = "ACTOR_CLAIM_IGNORED";
}
