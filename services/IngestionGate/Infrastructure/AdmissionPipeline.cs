using System.Collections.Concurrent;
using System.Text.Json;
using Grpc.Core;
using IngestionGate.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;
using Platform.Substrate.Telemetry;
using DaprException = Dapr.DaprException;

namespace IngestionGate.Infrastructure;

/// <summary>
/// The stateful half of admission (CONTRACTS §4), one micro-batch at a time: admission rows <c>PUBLISH_IN_FLIGHT</c>
/// (first-writes, one transaction; the dedupe read only when some row exists already), publish (per partition key in
/// order), the commit point (ADMITTED rows and receipt index in one transaction), receipts (the ADMIT ones as one object
/// per commit and run), quarantines. A request failing anywhere leaves its event absent, quarantined with a receipt,
/// admitted with a receipt, or in an unconfirmed state only an operator settles; never published twice.
/// </summary>
/// <remarks>
/// Two submissions of one event never publish twice: inside this process the dedupe key is claimed first (the
/// later one waits for the claim's outcome); across processes the first-write of the row decides, and whoever
/// finds the row in flight waits a bounded time and then answers a retryable 409.
/// </remarks>
public sealed class AdmissionPipeline(
    AdmissionStore store,
    EvidenceStore evidence,
    IEventBus bus,
    IgGovernance governance,
    RunSegments runSegments,
    ReceiptBackfill backfill,
    IgContext context,
    CorridorCounters counters,
    IOptions<IngestionGateOptions> options,
    TimeProvider time,
    ILogger<AdmissionPipeline> logger)
{
    private const int CommitAttempts = 3;

    // Dedupe keys this process is admitting right now; completed when the claim is released.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _claims = new(StringComparer.Ordinal);

    private IngestionGateOptions Options => options.Value;

    /// <summary>True while this process is admitting the event (an operator must not resolve it under our feet).</summary>
    public bool IsAdmitting(string dedupeKey) => _claims.ContainsKey(dedupeKey);

    /// <summary>
    /// Decides every work item of <paramref name="batch"/>, or hands it to <paramref name="requeue"/> to be tried again
    /// after another admission of the same event settles. Throws only when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task ProcessAsync(IReadOnlyList<AdmissionWork> batch, Action<AdmissionWork> requeue, CancellationToken cancellationToken)
    {
        var decided = new Decisions();
        try
        {
            await runSegments.EnsureAsync(batch.Select(RunIdOf).OfType<string>(), cancellationToken);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            FailAll(batch, exception, "recording the run segment");
            return;
        }

        foreach (var work in batch)
        {
            if (work.Outcome is Quarantine quarantine)
            {
                decided.Quarantines.Enqueue((work, quarantine));
            }
        }

        await AdmitAsync(batch.Where(w => w.Outcome is Admissible).ToList(), decided, requeue, cancellationToken);
        await RecordQuarantinesAndDuplicatesAsync(decided, cancellationToken);
    }

    private async Task AdmitAsync(List<AdmissionWork> admissible, Decisions decided, Action<AdmissionWork> requeue, CancellationToken cancellationToken)
    {
        if (admissible.Count == 0)
        {
            return;
        }

        var claimed = new List<Claim>();
        foreach (var group in admissible.GroupBy(w => Event(w).DedupeKey, StringComparer.Ordinal))
        {
            var owner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_claims.TryAdd(group.Key, owner))
            {
                claimed.Add(new Claim(group.Key, [.. group], owner));
            }
            else if (_claims.TryGetValue(group.Key, out var other))
            {
                WaitThenRequeue(group, other.Task, requeue);
            }
            else
            {
                // Released between the two calls: simply try again.
                WaitThenRequeue(group, Task.CompletedTask, requeue);
            }
        }

        try
        {
            await AdmitClaimedAsync(claimed, decided, requeue, cancellationToken);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            foreach (var claim in claimed)
            {
                FailAll(claim.Works, exception, "reading or writing the admission rows");
            }
        }
        finally
        {
            foreach (var claim in claimed)
            {
                _claims.TryRemove(new KeyValuePair<string, TaskCompletionSource>(claim.DedupeKey, claim.Owner));
                claim.Owner.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Most events are new, so the <c>PUBLISH_IN_FLIGHT</c> first-writes go out before any read: one transaction that
    /// either inserts every row or, when some row exists already, none. Only then are the rows read (dedupe) and the
    /// new ones inserted again.
    /// </summary>
    private async Task AdmitClaimedAsync(List<Claim> claimed, Decisions decided, Action<AdmissionWork> requeue, CancellationToken cancellationToken)
    {
        if (claimed.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var admissions = claimed.Select(claim =>
        {
            var leader = Event(claim.Works[0]);
            using var envelope = JsonDocument.Parse(leader.Record);
            return new Admission(claim, new AdmissionRow(AdmissionRecord.InFlight(leader, context.PolicyRev, now), envelope.RootElement.Clone()));
        }).ToList();
        if (!await TryInsertAllAsync(admissions, cancellationToken))
        {
            var rows = await store.GetManyAsync(claimed.Select(c => c.DedupeKey), cancellationToken);
            var fresh = new List<Admission>();
            foreach (var admission in admissions)
            {
                if (rows.TryGetValue(admission.Claim.DedupeKey, out var existing))
                {
                    Settle(admission.Claim.Works, existing.Value, decided, requeue);
                }
                else
                {
                    fresh.Add(admission);
                }
            }

            admissions = await InsertInFlightAsync(fresh, decided, requeue, cancellationToken);
        }

        if (admissions.Count == 0)
        {
            return;
        }

        // Our writes returned no ETags, so the commit's guards are read, while the records are published: only an
        // operator may change an in-flight row meanwhile (and only a stale one), and the guard then fails the commit.
        var current = WithRetriesAsync(() => store.GetManyAsync(admissions.Select(a => a.Claim.DedupeKey), cancellationToken), cancellationToken);
        List<Admission> published;
        try
        {
            published = await PublishAsync(admissions, cancellationToken);
        }
        catch
        {
            // Shutdown: the read's outcome no longer matters, but it must not go unobserved.
            _ = current.ContinueWith(static read => read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        await CommitAsync(published, await current, decided, cancellationToken);
    }

    /// <summary>First writes of all the rows in one transaction: false when any row exists already (then none was written).</summary>
    private Task<bool> TryInsertAllAsync(List<Admission> admissions, CancellationToken cancellationToken) =>
        admissions.Count == 1
            ? store.TryInsertAsync(admissions[0].Row, cancellationToken)
            : store.TryInsertAllAsync([.. admissions.Select(a => a.Row)], cancellationToken);

    /// <summary>The event's row exists already: DUPLICATE, PAYLOAD_HASH_MISMATCH, or wait for the admission in flight.</summary>
    private void Settle(IReadOnlyList<AdmissionWork> works, AdmissionRow row, Decisions decided, Action<AdmissionWork> requeue)
    {
        switch (row.State)
        {
            case AdmissionState.Admitted:
                foreach (var work in works)
                {
                    var arrival = Event(work);
                    if (arrival.PayloadHash == row.Admission.PayloadHash)
                    {
                        decided.Duplicates.Enqueue((work, Receipt.ForDuplicate(row.Admission, arrival, context.PolicyRev, context.Provenance)));
                    }
                    else
                    {
                        decided.Quarantines.Enqueue((work, arrival.ToQuarantine(ReasonCode.PayloadHashMismatch)));
                    }
                }

                break;
            case AdmissionState.PublishAmbiguous:
                foreach (var work in works)
                {
                    Finish(work, AdmissionResult.Failed(IgProblems.AdmissionAmbiguous));
                }

                break;
            default:
                var now = time.GetUtcNow();
                foreach (var work in works)
                {
                    work.WaitUntil ??= now + Options.InFlightWait;
                    if (now >= work.WaitUntil)
                    {
                        Finish(work, AdmissionResult.Failed(IgProblems.AdmissionInFlight));
                    }
                    else
                    {
                        _ = RequeueLaterAsync(work, Task.Delay(Options.InFlightPoll, time), requeue);
                    }
                }

                break;
        }
    }

    /// <summary>
    /// Writes the <c>PUBLISH_IN_FLIGHT</c> rows of events found absent: all in one transaction of first-writes, and
    /// only if that finds a row taken meanwhile (another process got there first; nothing was applied) one by one, to
    /// learn which.
    /// </summary>
    private async Task<List<Admission>> InsertInFlightAsync(List<Admission> admissions, Decisions decided, Action<AdmissionWork> requeue, CancellationToken cancellationToken)
    {
        if (admissions.Count > 1)
        {
            try
            {
                if (await store.TryInsertAllAsync([.. admissions.Select(a => a.Row)], cancellationToken))
                {
                    return admissions;
                }
            }
            catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
            {
                // As for a single row: nothing was written, or what was is found in flight and waited for.
                foreach (var admission in admissions)
                {
                    FailAll(admission.Claim.Works, exception, "writing the admission rows");
                }

                return [];
            }
        }

        var attempts = await Task.WhenAll(admissions.Select(async admission =>
        {
            try
            {
                return (Admission: admission, Inserted: (bool?)await store.TryInsertAsync(admission.Row, cancellationToken));
            }
            catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
            {
                // Only this event fails; the row was not written (or, if it was, it is found in flight and waited for).
                FailAll(admission.Claim.Works, exception, "writing the admission row");
                return (Admission: admission, Inserted: (bool?)null);
            }
        }));

        var lost = attempts.Where(a => a.Inserted == false).Select(a => a.Admission.Claim).ToList();
        if (lost.Count > 0)
        {
            // Another process wrote the row first: treat it as found.
            var rows = await store.GetManyAsync(lost.Select(c => c.DedupeKey), cancellationToken);
            foreach (var claim in lost)
            {
                if (rows.TryGetValue(claim.DedupeKey, out var row))
                {
                    Settle(claim.Works, row.Value, decided, requeue);
                }
                else
                {
                    FailAll(claim.Works, null, "reading the admission row after a lost first write");
                }
            }
        }

        return [.. attempts.Where(a => a.Inserted == true).Select(a => a.Admission)];
    }

    /// <summary>
    /// Publishes each admission's record; records with the same partition key go out one after another, in arrival
    /// order. After an unconfirmed publish the later records of that key are not sent (and their rows withdrawn), so
    /// an operator's republish can never land an earlier event behind a later one.
    /// </summary>
    private async Task<List<Admission>> PublishAsync(List<Admission> admissions, CancellationToken cancellationToken)
    {
        await Task.WhenAll(admissions
            .GroupBy(a => (Event(a.Claim.Works[0]).Stream.StreamName, a.Row.Admission.PartitionKey))
            .Select(async sameKey =>
            {
                var blocked = false;
                foreach (var admission in sameKey)
                {
                    if (blocked)
                    {
                        admission.Outcome = PublishOutcome.Withheld;
                        continue;
                    }

                    admission.EbRef = await TryPublishAsync(admission, cancellationToken);
                    admission.Outcome = admission.EbRef is null ? PublishOutcome.Ambiguous : PublishOutcome.Published;
                    blocked = admission.EbRef is null;
                }
            }));
        return admissions;
    }

    /// <summary>The eb_ref of a confirmed publish; null when the outcome is unknown. Shutdown propagates (the row stays in flight, as after a crash).</summary>
    private async Task<EbRef?> TryPublishAsync(Admission attempt, CancellationToken cancellationToken)
    {
        var admission = attempt.Row.Admission;
        var stream = PlatformNames.Streams.Named(admission.Stream);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.PublishTimeout);
        try
        {
            // The evaluated record: the same canonical bytes the row's envelope serializes to (AdmissionRow.Record).
            var published = await bus.PublishAsync(stream, admission.PartitionKey, Event(attempt.Claim.Works[0]).Record, timeout.Token);
            counters.Record(IgGovernance.Corridor, CorridorOutcome.Published);
            return EbRef.ForPublish(published, admission.PublishId);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(exception, "Publish of admission {DedupeKey} to {Stream} is unconfirmed; it becomes PUBLISH_AMBIGUOUS", admission.DedupeKey, admission.Stream);
            return null;
        }
    }

    private async Task CommitAsync(
        List<Admission> admissions, IReadOnlyDictionary<string, StateEntry<AdmissionRow>> current, Decisions decided, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var commits = new List<Commit>();
        var unconfirmed = new List<(Admission Admission, StateEntry<AdmissionRow> Entry)>();
        foreach (var admission in admissions)
        {
            if (!current.TryGetValue(admission.Claim.DedupeKey, out var entry) || !IsOurs(entry.Value, admission.Row))
            {
                SettleChanged(admission, entry?.Value, decided);
            }
            else if (admission.Outcome == PublishOutcome.Published)
            {
                var admitted = entry.Value with { Admission = entry.Value.Admission.Admit(admission.EbRef!, now), Envelope = null };
                commits.Add(new Commit(admission, admitted, entry.ETag));
            }
            else
            {
                unconfirmed.Add((admission, entry));
            }
        }

        await FinishAdmittedAsync(await CommitAdmittedAsync(WithReceiptBatches(commits), decided, cancellationToken), decided, cancellationToken);
        foreach (var (admission, entry) in unconfirmed)
        {
            try
            {
                await (admission.Outcome == PublishOutcome.Ambiguous
                    ? MarkAmbiguousAsync(admission, entry, cancellationToken)
                    : WithdrawAsync(admission, entry, cancellationToken));
            }
            catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
            {
                FailAll(admission.Claim.Works, exception, "recording an unconfirmed publish");
            }
        }
    }

    /// <summary>
    /// Applies the commits in one transaction, retrying a few times; returns those that are committed. A conflict is
    /// sorted out row by row: an earlier attempt may have applied after all, or someone else moved the row.
    /// </summary>
    private async Task<List<Commit>> CommitAdmittedAsync(List<Commit> commits, Decisions decided, CancellationToken cancellationToken)
    {
        var committed = new List<Commit>();
        var pending = commits;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            try
            {
                if (await store.TryCommitAsync([.. pending.Select(c => (c.Row, c.ETag, IndexEntry(c)))], cancellationToken))
                {
                    committed.AddRange(pending);
                    break;
                }
            }
            catch (Exception exception) when (attempt < CommitAttempts && IsUnavailable(exception, cancellationToken))
            {
                logger.LogWarning(exception, "Commit of {Count} admissions failed (attempt {Attempt}); retrying", pending.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, cancellationToken);
            }
            catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
            {
                // Published but not committed: the rows stay in flight until an operator marks them admitted.
                logger.LogError(exception, "Commit of {Count} published admissions failed; they stay PUBLISH_IN_FLIGHT for an operator", pending.Count);
                FailAll(pending.SelectMany(c => c.Admission.Claim.Works), exception, "committing the admission");
                break;
            }

            var rows = await WithRetriesAsync(() => store.GetManyAsync(pending.Select(c => c.Row.DedupeKey), cancellationToken), cancellationToken);
            var retry = new List<Commit>();
            foreach (var commit in pending)
            {
                var now = rows.GetValueOrDefault(commit.Row.DedupeKey);
                if (now is { Value.State: AdmissionState.Admitted } && now.Value.Admission.PublishId == commit.Row.Admission.PublishId)
                {
                    committed.Add(commit);
                }
                else if (now is not null && IsOurs(now.Value, commit.Admission.Row) && attempt < CommitAttempts)
                {
                    retry.Add(commit with { ETag = now.ETag });
                }
                else
                {
                    SettleChanged(commit.Admission, now?.Value, decided);
                }
            }

            pending = retry;
        }

        return committed;
    }

    /// <summary>
    /// One receipt batch per run among <paramref name="commits"/>: every attempt of the commit names the same batch
    /// in the receipt index, whichever of them applies.
    /// </summary>
    private static List<Commit> WithReceiptBatches(List<Commit> commits) =>
        [.. commits.GroupBy(c => c.Row.Admission.PlatformRunId, StringComparer.Ordinal).SelectMany(run =>
        {
            var batchKey = IgObjectKeys.ReceiptBatch(run.Key, ReceiptBatch.Id(run.Select(c => c.Row.Admission.PublishId)));
            return run.Select(c => c with { BatchKey = batchKey });
        })];

    /// <summary>
    /// Committed: ADMIT receipts for the leaders, one object per receipt batch (a failed write is flagged and
    /// backfilled receipt by receipt), DUPLICATE or mismatch for the rest.
    /// </summary>
    private async Task FinishAdmittedAsync(List<Commit> committed, Decisions decided, CancellationToken cancellationToken)
    {
        if (committed.Count == 0)
        {
            return;
        }

        var batches = await Task.WhenAll(committed
            .Select(commit => (Commit: commit, Receipt: Receipt.ForAdmitted(commit.Row.Admission, context.Provenance)))
            .GroupBy(r => r.Commit.BatchKey, StringComparer.Ordinal)
            .Select(async batch =>
            {
                try
                {
                    await evidence.WriteAdmitReceiptBatchAsync(batch.Key!, [.. batch.Select(r => r.Receipt)], cancellationToken);
                    return (Receipts: batch.ToList(), Written: true);
                }
                catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
                {
                    logger.LogWarning(exception, "Receipt batch {BatchKey} ({Count} ADMIT receipts) not written; the backfill will write them", batch.Key, batch.Count());
                    return (Receipts: batch.ToList(), Written: false);
                }
            }));
        var written = batches.SelectMany(b => b.Receipts.Select(r => (r.Commit, r.Receipt, b.Written))).ToList();

        // The lag is recorded before anyone hears ADMIT, so an answered admission always has its receipt or its flag.
        var lagging = written.Where(w => !w.Written).Select(w => w.Commit.Row.DedupeKey).ToList();
        try
        {
            await backfill.ScheduleAsync(lagging, cancellationToken);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            logger.LogError(exception, "Could not queue {Count} lagging receipts; they are repaired when read", lagging.Count);
        }

        foreach (var (commit, receipt, _) in written)
        {
            Finish(commit.Admission.Claim.Works[0], AdmissionResult.Decided(receipt));
            Settle([.. commit.Admission.Claim.Works.Skip(1)], commit.Row, decided, static _ => { });
        }
    }

    private async Task MarkAmbiguousAsync(Admission admission, StateEntry<AdmissionRow> entry, CancellationToken cancellationToken)
    {
        var ambiguous = entry.Value with { Admission = entry.Value.Admission.MarkAmbiguous(time.GetUtcNow()) };
        if (!await store.TryReplaceAsync(ambiguous, entry.ETag, cancellationToken))
        {
            logger.LogWarning("Admission {DedupeKey} changed before it could be marked PUBLISH_AMBIGUOUS", admission.Claim.DedupeKey);
        }

        counters.Record(IgGovernance.Corridor, CorridorOutcome.PublishAmbiguous, ReasonCode.PublishAmbiguous);
        try
        {
            await governance.PublishAmbiguousAsync(ambiguous.Admission, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(exception, "CORRIDOR_ANOMALY for the ambiguous publish of {DedupeKey} could not be emitted", admission.Claim.DedupeKey);
        }

        foreach (var work in admission.Claim.Works)
        {
            Finish(work, AdmissionResult.Failed(work == admission.Claim.Works[0] ? IgProblems.PublishAmbiguous : IgProblems.AdmissionAmbiguous));
        }
    }

    /// <summary>Not published (an earlier record of its partition key is unconfirmed): the row goes, the event stays absent.</summary>
    private async Task WithdrawAsync(Admission admission, StateEntry<AdmissionRow> entry, CancellationToken cancellationToken)
    {
        if (!await store.TryDeleteAsync(entry.Value.DedupeKey, entry.ETag, cancellationToken))
        {
            logger.LogWarning("Unpublished admission {DedupeKey} could not be withdrawn; it stays in flight for an operator", admission.Claim.DedupeKey);
        }

        foreach (var work in admission.Claim.Works)
        {
            Finish(work, AdmissionResult.Failed(
                PlatformProblems.Unavailable, "An earlier event with the same partition key has an unconfirmed publish; this one was not sent."));
        }
    }

    /// <summary>Someone else moved the row while we published (an operator's resolution): report what it is now.</summary>
    private void SettleChanged(Admission admission, AdmissionRow? now, Decisions decided)
    {
        logger.LogWarning("Admission {DedupeKey} changed while this process published it; now {State}", admission.Claim.DedupeKey, now?.State);
        if (now is { State: AdmissionState.Admitted })
        {
            Finish(admission.Claim.Works[0], AdmissionResult.Decided(Receipt.ForAdmitted(now.Admission, context.Provenance)));
            Settle(admission.Claim.Works.Skip(1).ToList(), now, decided, static _ => { });
            return;
        }

        foreach (var work in admission.Claim.Works)
        {
            Finish(work, AdmissionResult.Failed(IgProblems.AdmissionInFlight));
        }
    }

    /// <summary>Receipt index first (one transaction), then the objects: evidence, facts, receipts.</summary>
    private async Task RecordQuarantinesAndDuplicatesAsync(Decisions decided, CancellationToken cancellationToken)
    {
        var quarantines = decided.Quarantines.Where(q => !q.Work.IsCompleted)
            .Select(q => (q.Work, q.Quarantine, Record: QuarantineRecord.Create(q.Quarantine, context.PolicyRev, context.Provenance, q.Work.ReceivedAt)))
            .Select(q => (q.Work, q.Quarantine, q.Record, Receipt: Receipt.ForQuarantine(q.Quarantine, q.Record)))
            .ToList();
        var duplicates = decided.Duplicates.Where(d => !d.Work.IsCompleted).ToList();
        if (quarantines.Count == 0 && duplicates.Count == 0)
        {
            return;
        }

        var index = new Dictionary<string, ReceiptIndexEntry>(StringComparer.Ordinal);
        foreach (var (_, receipt) in duplicates)
        {
            index.TryAdd(receipt.ReceiptId, new ReceiptIndexEntry(IgObjectKeys.Receipt(receipt.PlatformRunId, receipt.ReceiptId), receipt.DedupeKey));
        }

        foreach (var quarantine in quarantines)
        {
            index.TryAdd(quarantine.Receipt.ReceiptId, new ReceiptIndexEntry(IgObjectKeys.Receipt(quarantine.Receipt.PlatformRunId, quarantine.Receipt.ReceiptId), null));
        }

        try
        {
            await store.SaveReceiptIndexAsync(index, cancellationToken);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            FailAll([.. duplicates.Select(d => d.Work), .. quarantines.Select(q => q.Work)], exception, "indexing receipts");
            return;
        }

        var duplicateWrites = duplicates.GroupBy(d => d.Receipt.ReceiptId, StringComparer.Ordinal).Select(async same =>
        {
            var receipt = same.First().Receipt;
            await RunAsync([.. same.Select(d => d.Work)], "writing the DUPLICATE receipt", async () =>
            {
                await evidence.WriteReceiptAsync(receipt, cancellationToken);
                foreach (var (work, own) in same)
                {
                    Finish(work, AdmissionResult.Decided(own));
                }
            }, cancellationToken);
        });
        var quarantineWrites = quarantines.GroupBy(q => q.Quarantine.QuarantineId, StringComparer.Ordinal).Select(async same =>
        {
            var (_, quarantine, record, _) = same.First();
            await RunAsync([.. same.Select(q => q.Work)], "recording the quarantine", async () =>
            {
                var stored = await evidence.WriteQuarantineAsync(quarantine, record, cancellationToken);
                var receipt = Receipt.ForQuarantine(quarantine, stored);
                await governance.QuarantinedAsync(quarantine, receipt, cancellationToken);
                await evidence.WriteReceiptAsync(receipt, cancellationToken);
                foreach (var item in same)
                {
                    Finish(item.Work, AdmissionResult.Decided(receipt));
                }
            }, cancellationToken);
        });
        await Task.WhenAll(duplicateWrites.Concat(quarantineWrites));
    }

    private async Task RunAsync(IReadOnlyList<AdmissionWork> works, string step, Func<Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await action();
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            FailAll(works, exception, step);
        }
    }

    private void WaitThenRequeue(IEnumerable<AdmissionWork> works, Task claimReleased, Action<AdmissionWork> requeue)
    {
        var now = time.GetUtcNow();
        foreach (var work in works)
        {
            work.WaitUntil ??= now + Options.InFlightWait;
            var remaining = work.WaitUntil.Value - now;
            if (remaining <= TimeSpan.Zero)
            {
                Finish(work, AdmissionResult.Failed(IgProblems.AdmissionInFlight));
                continue;
            }

            _ = RequeueLaterAsync(work, claimReleased.WaitAsync(remaining, time), requeue);
        }
    }

    private async Task RequeueLaterAsync(AdmissionWork work, Task wait, Action<AdmissionWork> requeue)
    {
        try
        {
            await wait;
            requeue(work);
        }
        catch (TimeoutException)
        {
            Finish(work, AdmissionResult.Failed(IgProblems.AdmissionInFlight));
        }
    }

    private void Finish(AdmissionWork work, AdmissionResult result)
    {
        if (work.IsCompleted)
        {
            return;
        }

        if (result.Receipt is { } receipt)
        {
            var outcome = receipt.Decision switch
            {
                ReceiptDecision.Admit => CorridorOutcome.Admitted,
                ReceiptDecision.Duplicate => CorridorOutcome.Duplicate,
                _ => CorridorOutcome.Quarantined,
            };
            counters.Record(IgGovernance.Corridor, outcome, outcome == CorridorOutcome.Quarantined ? receipt.ReasonCodes[0] : null);
        }
        else if (result.Problem is { } problem && problem != IgProblems.PublishAmbiguous)
        {
            counters.Record(IgGovernance.Corridor, CorridorOutcome.Refused, problem.Code.ToUpperInvariant());
        }

        work.Complete(result);
    }

    private void FailAll(IEnumerable<AdmissionWork> works, Exception? exception, string step)
    {
        var pending = works.Where(w => !w.IsCompleted).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        logger.LogError(exception, "Failed {Step} for {Count} events; answering 503", step, pending.Count);
        foreach (var work in pending)
        {
            Finish(work, AdmissionResult.Failed(PlatformProblems.Unavailable, $"IG could not finish {step}; nothing was decided for this event. Retry with the same event_id."));
        }
    }

    /// <summary>
    /// Failures of the sidecar, the stores or the bus: answered 503 (retryable). Cancellation by shutdown is not one
    /// of them: it propagates, so the batch stops where a crash would have stopped it.
    /// </summary>
    internal static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is DaprException or RpcException or EventBusPublishException or HttpRequestException or IOException
            or TimeoutException or OperationCanceledException or StoreContentionException;

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception exception) when (attempt < CommitAttempts && IsUnavailable(exception, cancellationToken))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, cancellationToken);
            }
        }
    }

    private static bool IsOurs(AdmissionRow now, AdmissionRow ours) =>
        now.State == AdmissionState.PublishInFlight && now.Admission.PublishId == ours.Admission.PublishId
        && now.Admission.CreatedAtUtc == ours.Admission.CreatedAtUtc;

    private static ReceiptIndexEntry IndexEntry(Commit commit) =>
        new(IgObjectKeys.Receipt(commit.Row.Admission.PlatformRunId, commit.Row.Admission.ReceiptId!), commit.Row.DedupeKey, commit.BatchKey);

    private static Admissible Event(AdmissionWork work) => (Admissible)work.Outcome;

    private static string? RunIdOf(AdmissionWork work) => work.Outcome switch
    {
        Admissible admissible => admissible.PlatformRunId,
        Quarantine quarantine => quarantine.PlatformRunId,
        _ => null,
    };

    private sealed record Claim(string DedupeKey, IReadOnlyList<AdmissionWork> Works, TaskCompletionSource Owner);

    private sealed record Commit(Admission Admission, AdmissionRow Row, string ETag, string? BatchKey = null);

    private enum PublishOutcome
    {
        Pending,
        Published,
        Ambiguous,
        Withheld,
    }

    private sealed class Admission(Claim claim, AdmissionRow row)
    {
        public Claim Claim { get; } = claim;

        public AdmissionRow Row { get; } = row;

        public PublishOutcome Outcome { get; set; }

        public EbRef? EbRef { get; set; }
    }

    private sealed class Decisions
    {
        public ConcurrentQueue<(AdmissionWork Work, Quarantine Quarantine)> Quarantines { get; } = [];

        public ConcurrentQueue<(AdmissionWork Work, Receipt Receipt)> Duplicates { get; } = [];
    }
}
