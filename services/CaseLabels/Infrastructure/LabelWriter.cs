using CaseLabels.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Telemetry;

namespace CaseLabels.Infrastructure;

/// <summary>
/// The Label Store writer boundary for one parsed assertion: taxonomy and time rules → dedupe by label_assertion_id
/// (same payload_hash → ACCEPTED REPLAY, other hash → REJECTED PAYLOAD_HASH_MISMATCH) → atomic append to the subject's
/// timeline and the run index → governance fact → ack. The commit point is the append; if its fact cannot be emitted
/// the caller gets a retryable 503 and the retry (a replay) emits it.
/// </summary>
public sealed class LabelWriter(
    LabelEvaluator evaluator,
    LabelStore store,
    LabelGovernance governance,
    CorridorCounters counters,
    IOptions<CaseLabelsOptions> options,
    TimeProvider time,
    ILogger<LabelWriter> logger)
{
    public async Task<LabelAck> WriteAsync(LabelAssertion assertion, ActorContext caller, CancellationToken cancellationToken)
    {
        var candidate = evaluator.Evaluate(assertion, caller);
        if (candidate.RejectReason is { } reason)
        {
            return await RejectAsync(candidate, reason, recordedPayloadHash: null, cancellationToken);
        }

        var settings = options.Value;
        for (var attempt = 1; attempt <= settings.MaxAppendAttempts; attempt++)
        {
            var heads = await store.ReadAppendBaseAsync(candidate.AssertionId, candidate.Assertion.Subject, cancellationToken);
            switch (LabelEvaluator.Dedupe(candidate, heads.Existing))
            {
                case DedupeOutcome.Replay:
                    await EmitAsync(() => governance.AcceptedAsync(heads.Existing!, cancellationToken), cancellationToken);
                    counters.Record(LabelGovernance.Corridor, CorridorOutcome.Duplicate, LabelReasonCode.Replay);
                    return evaluator.Accepted(candidate, heads.Existing!, replay: true);
                case DedupeOutcome.Mismatch:
                    return await RejectAsync(candidate, LabelReasonCode.PayloadHashMismatch, heads.Existing!.PayloadHash, cancellationToken);
            }

            var record = evaluator.ToRecord(candidate, time.GetUtcNow(), heads.NextSubjectSeq);
            if (await store.TryAppendAsync(record, heads, cancellationToken))
            {
                await EmitAsync(() => governance.AcceptedAsync(record, cancellationToken), cancellationToken);
                counters.Record(LabelGovernance.Corridor, CorridorOutcome.Accepted, LabelReasonCode.New);
                return evaluator.Accepted(candidate, record, replay: false);
            }

            // Lost a race (same assertion, same subject or same index bucket): re-decide from fresh reads.
#pragma warning disable CA5394 // Jitter needs spread, not unpredictability.
            await Task.Delay(TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * settings.AppendRetryDelay.Ticks)), time, cancellationToken);
#pragma warning restore CA5394
        }

        logger.LogWarning("Label {LabelAssertionId} lost {Attempts} append races in a row", candidate.AssertionId, settings.MaxAppendAttempts);
        counters.Record(LabelGovernance.Corridor, CorridorOutcome.Refused, "CONTENDED");
        throw new PlatformProblemException(PlatformProblems.Unavailable, "The label's timeline is being written by others right now; retry the same assertion.");
    }

    private async Task<LabelAck> RejectAsync(LabelCandidate candidate, string reason, string? recordedPayloadHash, CancellationToken cancellationToken)
    {
        await EmitAsync(() => governance.RejectedAsync(candidate, reason, recordedPayloadHash, cancellationToken), cancellationToken);
        counters.Record(LabelGovernance.Corridor, CorridorOutcome.Rejected, reason);
        return evaluator.Rejected(candidate, reason);
    }

    private async Task EmitAsync(Func<Task> emit, CancellationToken cancellationToken)
    {
        try
        {
            await emit();
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not PlatformProblemException)
        {
            logger.LogError(exception, "A label governance fact could not be emitted; answering 503 so the writer retries");
            counters.Record(LabelGovernance.Corridor, CorridorOutcome.Refused, "FACT_PENDING");
            throw new PlatformProblemException(
                PlatformProblems.Unavailable, "The label's governance fact could not be recorded yet; retry the same assertion (a retry never appends twice).");
        }
    }
}
