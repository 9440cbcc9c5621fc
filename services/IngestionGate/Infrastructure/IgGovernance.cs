using IngestionGate.Domain;
using Microsoft.Extensions.Logging;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;

namespace IngestionGate.Infrastructure;

/// <summary>
/// The governance facts IG emits (CONTRACTS §9), as <c>SYSTEM::ig</c>: CORRIDOR_ANOMALY for each quarantine and
/// each ambiguous publish, POLICY_REV_CHANGED when a run enters a new segment. Details carry ids, codes and
/// digests only, never payloads. Each fact_id is derived from what makes the occurrence unique, so a retried
/// request re-emits the same fact instead of a new one.
/// </summary>
public sealed class IgGovernance(GovernanceFactEmitter emitter, IgContext context, TimeProvider time, ILogger<IgGovernance> logger)
{
    /// <summary>The corridor name in facts and counters.</summary>
    public const string Corridor = "ig.admission";

    /// <summary>
    /// CORRIDOR_ANOMALY for a quarantine. A fact needs a valid platform_run_id; a quarantined envelope without one
    /// (its evidence is filed under <see cref="IgObjectKeys.NoRunPrefix"/>) is logged and counted instead.
    /// </summary>
    public Task QuarantinedAsync(Quarantine quarantine, Receipt receipt, CancellationToken cancellationToken)
    {
        if (quarantine.PlatformRunId is not { } runId)
        {
            logger.LogWarning(
                "Quarantine {QuarantineId} ({ReasonCodes}) has no valid platform_run_id; no CORRIDOR_ANOMALY fact can carry it",
                quarantine.QuarantineId, string.Join(",", quarantine.ReasonCodes));
            return Task.CompletedTask;
        }

        var details = new AnomalyDetails(
            Corridor,
            ReceiptDecision.Quarantine,
            quarantine.ReasonCodes,
            receipt.ReceiptId,
            quarantine.QuarantineId,
            IgObjectKeys.QuarantineRecord(runId, quarantine.QuarantineId),
            quarantine.Event?.EventId,
            quarantine.Event?.EventType,
            quarantine.DedupeKey,
            quarantine.Actor.ActorId);
        return EmitAsync(GovernanceFactType.CorridorAnomaly, runId, quarantine.Event?.ManifestFingerprint, $"quarantine:{quarantine.QuarantineId}", details, cancellationToken);
    }

    /// <summary>CORRIDOR_ANOMALY for an admission whose publish outcome is unknown (PUBLISH_AMBIGUOUS).</summary>
    public Task PublishAmbiguousAsync(AdmissionRecord admission, CancellationToken cancellationToken)
    {
        var details = new AnomalyDetails(
            Corridor,
            Decision: null,
            [ReasonCode.PublishAmbiguous],
            ReceiptId: null,
            QuarantineId: null,
            RecordKey: null,
            admission.EventId,
            admission.EventType,
            admission.DedupeKey,
            admission.Actor.ActorId,
            admission.Stream,
            admission.PublishId);
        return EmitAsync(
            GovernanceFactType.CorridorAnomaly, admission.PlatformRunId, admission.ManifestFingerprint,
            $"publish_ambiguous:{admission.DedupeKey}:{admission.PublishAttempt}", details, cancellationToken);
    }

    /// <summary>POLICY_REV_CHANGED: <paramref name="next"/> opens a new segment of its run after <paramref name="previous"/>.</summary>
    public Task PolicyRevChangedAsync(RunSegment previous, RunSegment next, CancellationToken cancellationToken)
    {
        var details = new PolicyRevChangedDetails(previous.PolicyRev, next.PolicyRev, previous.SegmentSeq, next.SegmentSeq);
        return EmitAsync(
            GovernanceFactType.PolicyRevChanged, next.PlatformRunId, manifestFingerprint: null,
            $"{next.PolicyRev.ContentDigest}:{next.SegmentSeq}", details, cancellationToken);
    }

    private async Task EmitAsync(
        GovernanceFactType type, string platformRunId, string? manifestFingerprint, string dedupeDetail, object details, CancellationToken cancellationToken)
    {
        var fact = GovernanceFact.Create(
            type,
            GovernanceActor.ForService(context.Runtime),
            new GovernancePins(platformRunId, ManifestFingerprint: manifestFingerprint),
            context.Provenance,
            dedupeDetail,
            details,
            time.GetUtcNow());
        await emitter.EmitAsync(fact, cancellationToken);
    }

    private sealed record AnomalyDetails(
        string Corridor,
        ReceiptDecision? Decision,
        IReadOnlyList<string> ReasonCodes,
        string? ReceiptId,
        string? QuarantineId,
        string? RecordKey,
        string? EventId,
        string? EventType,
        string? DedupeKey,
        string CallerActorId,
        string? Stream = null,
        string? PublishId = null);

    private sealed record PolicyRevChangedDetails(PolicyRev PreviousPolicyRev, PolicyRev PolicyRev, int PreviousSegmentSeq, int SegmentSeq);
}
