using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IngestionGate.Infrastructure;

/// <summary>
/// Run segments (CONTRACTS §1, §3). IG records, per platform_run_id, the policy_rev it last admitted under in
/// <c>run_segment/&lt;platform_run_id&gt;</c>. The first time this process sees a run it compares: no record → segment
/// 0 under the active policy_rev, no fact; the same digest → nothing to do; another digest → emit POLICY_REV_CHANGED
/// (old and new policy_rev, segment boundary) and record segment_seq + 1. The fact goes out before the record moves,
/// so a crash in between re-emits the same fact (same fact_id) rather than losing it. Nothing of a run is admitted
/// under a policy_rev before its segment is recorded. Earlier evidence is never rewritten.
/// </summary>
public sealed class RunSegments(AdmissionStore store, IgGovernance governance, IgContext context, TimeProvider time, ILogger<RunSegments> logger)
{
    private const int MaxAttempts = 5;

    // Runs this process has reconciled with the active policy_rev. A failed check is removed so it is retried.
    private readonly ConcurrentDictionary<string, Lazy<Task>> _checked = new(StringComparer.Ordinal);

    public Task EnsureAsync(IEnumerable<string> platformRunIds, CancellationToken cancellationToken) =>
        Task.WhenAll(platformRunIds.Distinct(StringComparer.Ordinal).Select(runId => EnsureAsync(runId, cancellationToken)));

    private async Task EnsureAsync(string platformRunId, CancellationToken cancellationToken)
    {
        var check = _checked.GetOrAdd(platformRunId, runId => new Lazy<Task>(() => ReconcileAsync(runId, cancellationToken)));
        try
        {
            await check.Value;
        }
        catch
        {
            _checked.TryRemove(new KeyValuePair<string, Lazy<Task>>(platformRunId, check));
            throw;
        }
    }

    private async Task ReconcileAsync(string platformRunId, CancellationToken cancellationToken)
    {
        var active = context.PolicyRev;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var entry = await store.GetRunSegmentAsync(platformRunId, cancellationToken);
            if (entry is null)
            {
                if (await store.TrySaveRunSegmentAsync(new RunSegment(platformRunId, active, 0, time.GetUtcNow()), null, cancellationToken))
                {
                    return;
                }

                continue;
            }

            var recorded = entry.Value;
            if (recorded.PolicyRev.ContentDigest == active.ContentDigest)
            {
                return;
            }

            var next = new RunSegment(platformRunId, active, recorded.SegmentSeq + 1, time.GetUtcNow());
            await governance.PolicyRevChangedAsync(recorded, next, cancellationToken);
            if (await store.TrySaveRunSegmentAsync(next, entry.ETag, cancellationToken))
            {
                logger.LogInformation(
                    "Run {PlatformRunId} entered segment {SegmentSeq} under policy_rev {PolicyRev} (was {PreviousPolicyRev})",
                    platformRunId, next.SegmentSeq, active.ContentDigest, recorded.PolicyRev.ContentDigest);
                return;
            }
        }

        throw new StoreContentionException($"The run segment of {platformRunId} kept changing under concurrent writers.");
    }
}
