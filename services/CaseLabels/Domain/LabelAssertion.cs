using System.Text.Json.Serialization;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace CaseLabels.Domain;

/// <summary>LabelSubjectKey (CONTRACTS §10): the event a label is about, within its run.</summary>
public sealed record LabelSubjectKey(string PlatformRunId, string EventId);

/// <summary>
/// One label assertion as a writer sends it (<c>schemas/labels/label_assertion.v0.schema.json</c>). The actor fields
/// are claims and are never believed: identity, dedupe and hashing use the authenticated caller only.
/// </summary>
public sealed record LabelAssertion(
    string PlatformRunId,
    string EventId,
    string LabelType,
    string Value,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset EffectiveTime,
    string? TaxonomyVersion = null,
    string? ActorId = null,
    string? SourceType = null,
    string? LabelSource = null)
{
    [JsonIgnore]
    public LabelSubjectKey Subject => new(PlatformRunId, EventId);

    /// <summary>
    /// <c>label_assertion_id</c> = hex32 of H(<c>{platform_run_id, event_id, label_type, actor_id, observed_time}</c>):
    /// one writer's statement about one label type of one subject, as of one observation. A later observation is a new
    /// assertion (a new timeline entry); the same observation sent again is the same assertion.
    /// </summary>
    public string AssertionId(ActorContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Digests.Hex32(Digests.Of(new AssertionKey(PlatformRunId, EventId, LabelType, caller.ActorId, ObservedTime)));
    }

    /// <summary>
    /// <c>payload_hash</c> = H(<c>{platform_run_id, event_id, label_type, value, observed_time, effective_time,
    /// taxonomy_version}</c>): what the assertion says, without the ignored actor claims. An assertion that names no
    /// taxonomy_version means <paramref name="taxonomyInForce"/>, so naming it or not is the same assertion.
    /// </summary>
    public string PayloadHash(string taxonomyInForce) =>
        Digests.Of(new HashedContent(PlatformRunId, EventId, LabelType, Value, ObservedTime, EffectiveTime, TaxonomyVersion ?? taxonomyInForce));

    /// <summary>True when a claim in the body names anyone other than <paramref name="caller"/>.</summary>
    public bool ClaimsAnotherActor(ActorContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return (ActorId is not null && ActorId != caller.ActorId)
            || (SourceType is not null && SourceType != caller.SourceTypeName)
            || (LabelSource is not null && LabelSource != LabelSources.ToWireName(LabelSources.Of(caller)));
    }

    private sealed record AssertionKey(
        string PlatformRunId,
        string EventId,
        string LabelType,
        string ActorId,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime);

    private sealed record HashedContent(
        string PlatformRunId,
        string EventId,
        string LabelType,
        string Value,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset EffectiveTime,
        string TaxonomyVersion);
}
