using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using CaseLabels.Domain;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace CaseLabels.Infrastructure;

/// <summary>
/// LABEL_ACCEPTED and LABEL_REJECTED facts (CONTRACTS §9), on behalf of the authenticated writer, emitted by <c>cm</c>.
/// An accepted label's fact is derived from its stored record only (ts_utc = recorded_at_utc), so emitting it again
/// for a replay lands on the same object with the same bytes: a replay repairs a fact an earlier attempt never wrote.
/// Concurrent emissions of one accepted fact in this process share one attempt: a burst of replays of one label
/// writes its fact once instead of racing on one object.
/// </summary>
public sealed class LabelGovernance(GovernanceFactEmitter emitter, CmContext context, TimeProvider time)
{
    /// <summary>The corridor name in facts and counters.</summary>
    public const string Corridor = "cm.labels";

    private readonly ConcurrentDictionary<string, Lazy<Task>> _acceptedInFlight = new(StringComparer.Ordinal);

    public Task AcceptedAsync(StoredLabel record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var shared = _acceptedInFlight.GetOrAdd(record.LabelAssertionId, id => new Lazy<Task>(() => EmitAcceptedAsync(id, record)));
        return shared.Value.WaitAsync(cancellationToken);
    }

    // Not bound to one caller's cancellation: other callers may be waiting for the same emission.
    private async Task EmitAcceptedAsync(string labelAssertionId, StoredLabel record)
    {
        try
        {
            await EmitAcceptedFactAsync(record);
        }
        finally
        {
            _acceptedInFlight.TryRemove(labelAssertionId, out _);
        }
    }

    private Task<GovernanceFactEmission> EmitAcceptedFactAsync(StoredLabel record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var details = new AcceptedDetails(
            Corridor, record.LabelAssertionId, record.EventId, record.LabelType, record.Value, record.ObservedTime, record.EffectiveTime,
            record.RecordedAtUtc, record.SubjectSeq, record.LabelSource, record.PayloadHash, record.TaxonomyVersion,
            record.WriterBoundaryVersion, record.PolicyRev.ContentDigest);
        var fact = GovernanceFact.Create(
            GovernanceFactType.LabelAccepted,
            new GovernanceActor(record.ActorId, record.SourceType, context.Runtime.ServiceName),
            new GovernancePins(record.PlatformRunId),
            context.Provenance,
            $"accepted:{record.LabelAssertionId}",
            details,
            record.RecordedAtUtc);
        return emitter.EmitAsync(fact, CancellationToken.None);
    }

    public Task RejectedAsync(LabelCandidate candidate, string reasonCode, string? recordedPayloadHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var assertion = candidate.Assertion;
        var details = new RejectedDetails(
            Corridor, reasonCode, candidate.AssertionId, assertion.EventId, assertion.LabelType, assertion.Value, assertion.ObservedTime,
            candidate.Source, candidate.PayloadHash, recordedPayloadHash, context.Policy.Taxonomy.TaxonomyVersion, assertion.TaxonomyVersion,
            LabelPolicy.WriterBoundaryVersion, context.Policy.PolicyRev.ContentDigest);
        var fact = GovernanceFact.Create(
            GovernanceFactType.LabelRejected,
            GovernanceActor.ForCaller(candidate.Caller, context.Runtime),
            new GovernancePins(assertion.PlatformRunId),
            context.Provenance,
            $"rejected:{reasonCode}:{candidate.AssertionId}:{candidate.PayloadHash}",
            details,
            time.GetUtcNow());
        return emitter.EmitAsync(fact, cancellationToken);
    }

    private sealed record AcceptedDetails(
        string Corridor,
        string LabelAssertionId,
        string EventId,
        string LabelType,
        string Value,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset EffectiveTime,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset RecordedAtUtc,
        int SubjectSeq,
        LabelSource LabelSource,
        string PayloadHash,
        string TaxonomyVersion,
        string WriterBoundaryVersion,
        string PolicyRev);

    private sealed record RejectedDetails(
        string Corridor,
        string ReasonCode,
        string LabelAssertionId,
        string EventId,
        string LabelType,
        string Value,
        [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
        LabelSource LabelSource,
        string PayloadHash,
        string? RecordedPayloadHash,
        string TaxonomyVersion,
        string? AssertedTaxonomyVersion,
        string WriterBoundaryVersion,
        string PolicyRev);
}
