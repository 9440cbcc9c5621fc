using Platform.Substrate.Identity;

namespace CaseLabels.Domain;

/// <summary>
/// An assertion read for a caller: its identity (<see cref="AssertionId"/>, <see cref="PayloadHash"/>), where it comes
/// from, and — when the taxonomy or time rules refuse it — why (<see cref="RejectReason"/>).
/// </summary>
public sealed record LabelCandidate(
    LabelAssertion Assertion,
    ActorContext Caller,
    string AssertionId,
    string PayloadHash,
    LabelSource Source,
    string? RejectReason,
    IReadOnlyList<string> AdvisoryCodes);

/// <summary>What the timeline already holds under a candidate's label_assertion_id decides the rest.</summary>
public enum DedupeOutcome
{
    /// <summary>Nothing recorded yet: append.</summary>
    New = 1,

    /// <summary>Recorded with the same payload_hash: ACCEPTED replay, nothing written.</summary>
    Replay,

    /// <summary>Recorded with another payload_hash: REJECTED PAYLOAD_HASH_MISMATCH, nothing written.</summary>
    Mismatch,
}

/// <summary>The writer boundary's decisions, free of I/O: taxonomy, time order, dedupe, and the records and acks they produce.</summary>
public sealed class LabelEvaluator(LabelPolicy policy)
{
    public LabelPolicy Policy { get; } = policy;

    public LabelCandidate Evaluate(LabelAssertion assertion, ActorContext caller)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        ArgumentNullException.ThrowIfNull(caller);
        var taxonomy = Policy.Taxonomy;
        var reject = assertion.TaxonomyVersion is { } asserted && asserted != taxonomy.TaxonomyVersion
            ? LabelReasonCode.TaxonomyVersionMismatch
            : taxonomy.Check(assertion.LabelType, assertion.Value)
              ?? (assertion.ObservedTime < assertion.EffectiveTime ? LabelReasonCode.ObservedBeforeEffective : null);
        IReadOnlyList<string> advisories = assertion.ClaimsAnotherActor(caller) ? [LabelReasonCode.ActorClaimIgnored] : [];
        return new LabelCandidate(
            assertion, caller, assertion.AssertionId(caller), assertion.PayloadHash(taxonomy.TaxonomyVersion), LabelSources.Of(caller), reject, advisories);
    }

    public static DedupeOutcome Dedupe(LabelCandidate candidate, StoredLabel? existing)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return existing is null ? DedupeOutcome.New
            : existing.PayloadHash == candidate.PayloadHash ? DedupeOutcome.Replay
            : DedupeOutcome.Mismatch;
    }

    /// <summary>The timeline entry an accepted candidate becomes at position <paramref name="subjectSeq"/>.</summary>
    public StoredLabel ToRecord(LabelCandidate candidate, DateTimeOffset recordedAtUtc, int subjectSeq)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.RejectReason is not null)
        {
            throw new InvalidOperationException("A rejected assertion is never recorded.");
        }

        var assertion = candidate.Assertion;
        return new StoredLabel(
            candidate.AssertionId,
            assertion.PlatformRunId,
            assertion.EventId,
            assertion.LabelType,
            assertion.Value,
            assertion.ObservedTime,
            assertion.EffectiveTime,
            Platform.Substrate.Pinning.UtcTimestamp.Truncate(recordedAtUtc),
            subjectSeq,
            candidate.Caller.ActorId,
            candidate.Caller.SourceType,
            candidate.Source,
            candidate.PayloadHash,
            Policy.Taxonomy.TaxonomyVersion,
            LabelPolicy.WriterBoundaryVersion,
            Policy.PolicyRev);
    }

    public LabelAck Accepted(LabelCandidate candidate, StoredLabel record, bool replay)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Ack(candidate, LabelStatus.Accepted, replay ? LabelReasonCode.Replay : LabelReasonCode.New, record.RecordedAtUtc);
    }

    public LabelAck Rejected(LabelCandidate candidate, string reasonCode) =>
        Ack(candidate, LabelStatus.Rejected, reasonCode, recordedAtUtc: null);

    private LabelAck Ack(LabelCandidate candidate, LabelStatus status, string reasonCode, DateTimeOffset? recordedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var assertion = candidate.Assertion;
        return new LabelAck(
            status,
            reasonCode,
            candidate.AssertionId,
            assertion.PlatformRunId,
            assertion.EventId,
            assertion.LabelType,
            candidate.PayloadHash,
            recordedAtUtc,
            LabelPolicy.WriterBoundaryVersion,
            Policy.Taxonomy.TaxonomyVersion,
            Policy.PolicyRev,
            candidate.Caller.ActorId,
            candidate.Caller.SourceType,
            candidate.Source,
            candidate.AdvisoryCodes);
    }
}
