using Dapr.DurableTask.Protobuf;

namespace DaprHarness.Workflow;

/// <summary>
/// Hands out work while a worker is connected: one orchestration turn per instance with due inbox events (never two
/// at once for an instance), and every pending activity not already in flight. Sleeps until woken or the next timer.
/// </summary>
internal sealed class TurnDispatcher(WorkflowEngine engine, ILogger<TurnDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!engine.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset? nextDue = null;
            try
            {
                if (engine.Streams.HasStreams)
                {
                    await engine.EnsureSchemaAsync(stoppingToken);
                    nextDue = await DispatchAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "workflow dispatch failed; retrying");
                nextDue = engine.Clock.GetUtcNow().AddSeconds(1);
            }

            try
            {
                await engine.Scheduler.WaitAsync(nextDue, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One pass; returns when the next timer or scheduled start falls due.</summary>
    private async Task<DateTimeOffset?> DispatchAsync(CancellationToken cancellationToken)
    {
        var store = engine.Store;
        var now = engine.Clock.GetUtcNow();
        foreach (var instanceId in await store.ReadyInstancesAsync(now, cancellationToken))
        {
            // Checked before loading: a turn committed after this check is already visible in the snapshot.
            if (engine.InFlight.IsTurnInFlight(instanceId)
                || await store.LoadAsync(instanceId, now, cancellationToken) is not { } snapshot
                || TurnPlanner.Plan(snapshot, now) is not { } turn)
            {
                continue;
            }

            if (!Send(turn))
            {
                return null;
            }
        }

        // An activity is only answered while in flight, so one not in flight whose row still exists now is not
        // being completed concurrently: re-reading after the in-flight check avoids handing out a finished one.
        var candidates = (await store.PendingActivitiesAsync(cancellationToken)).Where(a => !engine.InFlight.IsActivityInFlight(a)).ToList();
        if (candidates.Count > 0)
        {
            var stillPending = (await store.PendingActivitiesAsync(cancellationToken)).ToHashSet();
            foreach (var activity in candidates.Where(stillPending.Contains))
            {
                if (!Send(activity))
                {
                    return null;
                }
            }
        }

        return await store.NextDueAsync(now, cancellationToken);
    }

    private bool Send(Turn turn)
    {
        var stream = engine.Streams.Pick();
        if (stream is null)
        {
            return false;
        }

        var item = new InFlightWork.TurnItem(Guid.NewGuid().ToString(), stream.Id, turn);
        engine.InFlight.Add(item);
        if (!stream.Items.Writer.TryWrite(new WorkItem { WorkflowRequest = turn.ToRequest(), CompletionToken = item.Token }))
        {
            engine.InFlight.Remove(item);
            return false;
        }

        logger.LogDebug("dispatched turn of {Instance} with {Count} new event(s)", turn.Instance.InstanceId, turn.NewEvents.Count);
        return true;
    }

    private bool Send(PendingActivity activity)
    {
        var stream = engine.Streams.Pick();
        if (stream is null)
        {
            return false;
        }

        var item = new InFlightWork.ActivityItem(Guid.NewGuid().ToString(), stream.Id, activity);
        engine.InFlight.Add(item);
        if (!stream.Items.Writer.TryWrite(new WorkItem { ActivityRequest = activity.Request, CompletionToken = item.Token }))
        {
            engine.InFlight.Remove(item);
            return false;
        }

        return true;
    }
}
