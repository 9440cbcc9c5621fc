using System.Text.Json.Serialization;

namespace Platform.Substrate.Governance;

/// <summary>The closed set of governance fact types (CONTRACTS §9); the JSON names are the contract's spellings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GovernanceFactType>))]
public enum GovernanceFactType
{
    [JsonStringEnumMemberName("RUN_STARTED")]
    RunStarted = 1,

    [JsonStringEnumMemberName("RUN_ENDED")]
    RunEnded,

    [JsonStringEnumMemberName("POLICY_REV_CHANGED")]
    PolicyRevChanged,

    [JsonStringEnumMemberName("CORRIDOR_ANOMALY")]
    CorridorAnomaly,

    [JsonStringEnumMemberName("OFS_BUILD_REQUESTED")]
    OfsBuildRequested,

    [JsonStringEnumMemberName("OFS_BUILD_COMPLETED")]
    OfsBuildCompleted,

    [JsonStringEnumMemberName("MF_TRAIN_REQUESTED")]
    MfTrainRequested,

    [JsonStringEnumMemberName("MF_TRAIN_COMPLETED")]
    MfTrainCompleted,

    [JsonStringEnumMemberName("BUNDLE_PUBLISHED")]
    BundlePublished,

    [JsonStringEnumMemberName("BUNDLE_APPROVED")]
    BundleApproved,

    [JsonStringEnumMemberName("BUNDLE_PROMOTED_ACTIVE")]
    BundlePromotedActive,

    [JsonStringEnumMemberName("BUNDLE_ROLLED_BACK")]
    BundleRolledBack,

    [JsonStringEnumMemberName("PROMOTION_REFUSED")]
    PromotionRefused,

    [JsonStringEnumMemberName("LABEL_ACCEPTED")]
    LabelAccepted,

    [JsonStringEnumMemberName("LABEL_REJECTED")]
    LabelRejected,

    [JsonStringEnumMemberName("EVIDENCE_REF_RESOLVED")]
    EvidenceRefResolved,

    [JsonStringEnumMemberName("SECRET_ROTATED")]
    SecretRotated,

    [JsonStringEnumMemberName("RUN_REPORT_GENERATED")]
    RunReportGenerated,
}
