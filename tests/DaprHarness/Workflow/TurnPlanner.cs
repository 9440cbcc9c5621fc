using Dapr.DurableTask.Protobuf;

namespace DaprHarness.Workflow;

/// <summary>
/// Decides what an instance's next orchestration work item holds: <c>pastEvents</c> = committed history,
/// <c>newEvents</c> = [WorkflowStarted(now)] + the inbox events due now, as durabletask-go's
/// backend/orchestration.go applyWorkItem builds them.
/// </summary>
internal static class TurnPlanner
{
    /// <summary>The turn to dispatch, or null when the instance has nothing it may process now.</summary>
    public static Turn? Plan(InstanceSnapshot snapshot, DateTimeOffset now)
    {
        if (snapshot.Instance.IsCompleted || snapshot.VisibleInbox.Count == 0)
        {
            return null;
        }

        var started = snapshot.History.Any(e => e.ExecutionStarted is not null);
        var inbox = snapshot.VisibleInbox;

        // An instance whose (scheduled) start is not due yet keeps its other events until it starts.
        if (!started && !inbox.Any(e => e.Event.ExecutionStarted is not null))
        {
            return null;
        }

        // A suspended instance processes nothing until it is resumed or terminated.
        if (IsSuspended(snapshot.History) && !inbox.Any(e => e.Event.ExecutionResumed is not null || e.Event.ExecutionTerminated is not null))
        {
            return null;
        }

        // The batch ends at a suspend or terminate, so that event is the turn's last: Dapr.Workflow's
        // WorkflowWorker acknowledges a suspend without running the workflow and completes a terminate as TERMINATED
        // only when it is the latest event (src/Dapr.Workflow/Worker/WorkflowWorker.cs).
        var batch = new List<InboxEntry>();
        foreach (var entry in started ? (IEnumerable<InboxEntry>)inbox : inbox.OrderBy(e => e.Event.ExecutionStarted is null))
        {
            batch.Add(entry);
            if (entry.Event.ExecutionSuspended is not null || entry.Event.ExecutionTerminated is not null)
            {
                break;
            }
        }

        var newEvents = new List<HistoryEvent> { HistoryEvents.WorkflowStarted(now) };
        newEvents.AddRange(batch.Select(e => e.Event));
        return new Turn(snapshot.Instance, snapshot.History, newEvents, [.. batch.Select(e => e.Seq)]);
    }

    /// <summary>durabletask-go runtimestate: the last suspend/resume event decides.</summary>
    public static bool IsSuspended(IEnumerable<HistoryEvent> events) =>
        events.LastOrDefault(e => e.ExecutionSuspended is not null || e.ExecutionResumed is not null)?.ExecutionSuspended is not null;
}
