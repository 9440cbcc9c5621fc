using IngestionGate.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Telemetry;

namespace IngestionGate.Infrastructure;

/// <summary>What an operator sees of an admission: the row without its envelope, and whether it may be resolved now.</summary>
public sealed record AdmissionView(AdmissionRecord Admission, bool Resolvable, bool EnvelopeKept, OperatorResolution? Resolution)
{
    public static AdmissionView Of(AdmissionRow row, bool resolvable) => new(row.Admission, resolvable, row.Envelope is not null, row.Resolution);
}

/// <summary>The answer to a resolution: the admission as it now stands and its receipt, or a problem.</summary>
public sealed record ResolveResult(AdmissionView? Admission, Receipt? Receipt, PlatformProblem? Problem, string? Detail);

/// <summary>
/// The operator side of admissions whose publish is unconfirmed (never republished automatically, CONTRACTS §4):
/// <c>PUBLISH_AMBIGUOUS</c> rows, and <c>PUBLISH_IN_FLIGHT</c> rows older than
/// <see cref="IngestionGateOptions.StaleInFlightAfter"/> (a process died between the row and the commit). The operator
/// checks the stream, then either marks the admission admitted (the record is there: its eb_ref is the attempt's
/// publish id) or has IG republish the kept envelope (a new attempt and publish id). Either way the ADMIT receipt
/// follows, and the row records who decided, what and why.
/// </summary>
public sealed class AdmissionOperations(
    AdmissionStore store,
    AdmissionPipeline pipeline,
    IEventBus bus,
    ReceiptBackfill backfill,
    IgGovernance governance,
    IgContext context,
    CorridorCounters counters,
    IOptions<IngestionGateOptions> options,
    TimeProvider time,
    ILogger<AdmissionOperations> logger)
{
    private const string Corridor = "ig.operations";

    public async Task<AdmissionView?> GetAsync(string dedupeKey, CancellationToken cancellationToken) =>
        await store.GetAsync(dedupeKey, cancellationToken) is { } entry ? AdmissionView.Of(entry.Value, IsResolvable(entry.Value)) : null;

    public async Task<ResolveResult> ResolveAsync(
        string dedupeKey, ResolveOutcome outcome, string? note, ActorContext caller, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(dedupeKey, cancellationToken);
        if (entry is null)
        {
            return Refused(PlatformProblems.NotFound, "No admission has this dedupe_key.");
        }

        var row = entry.Value;
        if (!IsResolvable(row))
        {
            return Refused(IgProblems.NotResolvable,
                $"The admission is {Wire(row.State)}; only PUBLISH_AMBIGUOUS, or PUBLISH_IN_FLIGHT unchanged for {options.Value.StaleInFlightAfter.TotalSeconds:0}s, may be resolved.");
        }

        var now = time.GetUtcNow();
        var resolution = new OperatorResolution(caller.ActorId, outcome, note, row.State, now);
        logger.LogInformation("{ActorId} resolves admission {DedupeKey} ({State}) with {Outcome}", caller.ActorId, dedupeKey, row.State, outcome);
        counters.Record(Corridor, CorridorOutcome.Resolved);
        return outcome == ResolveOutcome.MarkAdmitted
            ? await CommitAsync(row with { Resolution = resolution }, entry.ETag, AttemptRef(row.Admission, now), cancellationToken)
            : await RepublishAsync(row, entry.ETag, resolution, cancellationToken);
    }

    /// <summary>Unconfirmed and not being admitted by this process right now.</summary>
    private bool IsResolvable(AdmissionRow row) =>
        !pipeline.IsAdmitting(row.DedupeKey)
        && (row.State == AdmissionState.PublishAmbiguous
            || (row.State == AdmissionState.PublishInFlight && time.GetUtcNow() - row.Admission.UpdatedAtUtc >= options.Value.StaleInFlightAfter));

    private async Task<ResolveResult> RepublishAsync(AdmissionRow row, string etag, OperatorResolution resolution, CancellationToken cancellationToken)
    {
        if (row.Envelope is null)
        {
            return Refused(IgProblems.NotResolvable, "The admission keeps no envelope to republish; mark it admitted if the record is on the stream.");
        }

        var now = time.GetUtcNow();
        var ambiguous = row.State == AdmissionState.PublishInFlight ? row.Admission.MarkAmbiguous(now) : row.Admission;
        var attempt = row with { Admission = ambiguous.Republish(now), Resolution = resolution };
        if (!await store.TryReplaceAsync(attempt, etag, cancellationToken))
        {
            return Refused(PlatformProblems.Conflict, "The admission changed meanwhile; read it again.");
        }

        var admission = attempt.Admission;
        var stream = PlatformNames.Streams.Named(admission.Stream);
        EbRef ebRef;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.Value.PublishTimeout);
            try
            {
                ebRef = EbRef.ForPublish(await bus.PublishAsync(stream, admission.PartitionKey, attempt.Record(), timeout.Token), admission.PublishId);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(exception, "Republish of admission {DedupeKey} is unconfirmed", admission.DedupeKey);
                return await StillAmbiguousAsync(attempt, cancellationToken);
            }
        }

        var current = await store.GetAsync(admission.DedupeKey, cancellationToken);
        return current is null || current.Value.Admission.PublishId != admission.PublishId || current.Value.State != AdmissionState.PublishInFlight
            ? Refused(PlatformProblems.Conflict, "The admission changed while it was republished; read it again.")
            : await CommitAsync(current.Value, current.ETag, ebRef, cancellationToken);
    }

    private async Task<ResolveResult> StillAmbiguousAsync(AdmissionRow attempt, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(attempt.DedupeKey, cancellationToken);
        if (current is { Value.State: AdmissionState.PublishInFlight } && current.Value.Admission.PublishId == attempt.Admission.PublishId)
        {
            var ambiguous = current.Value with { Admission = current.Value.Admission.MarkAmbiguous(time.GetUtcNow()) };
            await store.TryReplaceAsync(ambiguous, current.ETag, cancellationToken);
            await governance.PublishAmbiguousAsync(ambiguous.Admission, cancellationToken);
        }

        counters.Record(IgGovernance.Corridor, CorridorOutcome.PublishAmbiguous, ReasonCode.PublishAmbiguous);
        return Refused(IgProblems.PublishAmbiguous, "The republish was not confirmed either; the admission is PUBLISH_AMBIGUOUS again.");
    }

    /// <summary>The commit point (ADMITTED + receipt index), then the ADMIT receipt (backfilled if its write fails).</summary>
    private async Task<ResolveResult> CommitAsync(AdmissionRow row, string etag, EbRef ebRef, CancellationToken cancellationToken)
    {
        var admitted = row with { Admission = row.Admission.Admit(ebRef, time.GetUtcNow()), Envelope = null };
        var index = new ReceiptIndexEntry(IgObjectKeys.Receipt(admitted.Admission.PlatformRunId, admitted.Admission.ReceiptId!), admitted.DedupeKey);
        if (!await store.TryCommitAsync([(admitted, etag, index)], cancellationToken))
        {
            return Refused(PlatformProblems.Conflict, "The admission changed meanwhile; read it again.");
        }

        counters.Record(IgGovernance.Corridor, CorridorOutcome.Admitted);
        Receipt receipt;
        try
        {
            receipt = await backfill.WriteAdmitReceiptAsync(admitted, cancellationToken);
        }
        catch (Exception exception) when (AdmissionPipeline.IsUnavailable(exception, cancellationToken))
        {
            logger.LogWarning(exception, "ADMIT receipt of {DedupeKey} not written; the backfill will write it", admitted.DedupeKey);
            await backfill.ScheduleAsync([admitted.DedupeKey], cancellationToken);
            receipt = Receipt.ForAdmitted(admitted.Admission, context.Provenance);
        }

        return new ResolveResult(AdmissionView.Of(admitted, resolvable: false), receipt, null, null);
    }

    /// <summary>
    /// The eb_ref of the attempt an operator found on the stream: its publish id, and as published_at_utc the time the
    /// attempt was recorded in flight (first attempt) or the resolution time (the row no longer tells a later attempt's).
    /// </summary>
    private static EbRef AttemptRef(AdmissionRecord admission, DateTimeOffset now) =>
        new(admission.Stream, admission.PartitionKey, admission.PublishId, OffsetKind.IgPublishId,
            admission.PublishAttempt == 1 ? admission.CreatedAtUtc : now);

    private static ResolveResult Refused(PlatformProblem problem, string detail) => new(null, null, problem, detail);

    private static string Wire(AdmissionState state) =>
        System.Text.Json.JsonSerializer.Serialize(state, PlatformJson.Options).Trim('"');
}
