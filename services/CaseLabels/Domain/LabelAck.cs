using System.Text.Json.Serialization;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace CaseLabels.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<LabelStatus>))]
public enum LabelStatus
{
    [JsonStringEnumMemberName("ACCEPTED")]
    Accepted = 1,

    [JsonStringEnumMemberName("REJECTED")]
    Rejected = 2,
}

/// <summary>The Label Store's answer to one assertion (<c>schemas/labels/label_ack.v0.schema.json</c>, CONTRACTS §10).</summary>
public sealed record LabelAck(
    LabelStatus Status,
    string ReasonCode,
    string LabelAssertionId,
    string PlatformRunId,
    string EventId,
    string LabelType,
    string PayloadHash,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset? RecordedAtUtc,
    string WriterBoundaryVersion,
    string TaxonomyVersion,
    PolicyRev PolicyRev,
    string ActorId,
    SourceType SourceType,
    LabelSource LabelSource,
    IReadOnlyList<string> AdvisoryCodes);
