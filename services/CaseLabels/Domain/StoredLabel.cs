using System.Text.Json.Serialization;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace CaseLabels.Domain;

/// <summary>
/// One entry of a subject's append-only label timeline (<c>schemas/labels/label_record.v0.schema.json</c>), written
/// once and never changed. <see cref="SubjectSeq"/> is its position in the subject's timeline.
/// </summary>
public sealed record StoredLabel(
    string LabelAssertionId,
    string PlatformRunId,
    string EventId,
    string LabelType,
    string Value,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset EffectiveTime,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset RecordedAtUtc,
    int SubjectSeq,
    string ActorId,
    SourceType SourceType,
    LabelSource LabelSource,
    string PayloadHash,
    string TaxonomyVersion,
    string WriterBoundaryVersion,
    PolicyRev PolicyRev)
{
    [JsonIgnore]
    public LabelSubjectKey Subject => new(PlatformRunId, EventId);
}
