using System.Globalization;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DaprHarness.Workflow;

/// <summary>
/// Applies a worker's <see cref="WorkflowResponse"/> to the turn it answers, the way durabletask-go's
/// backend/runtimestate/applier.go does: every action becomes a history event whose eventId is the action id, plus
/// the side effects (activity work items, durable timers, messages to other instances).
/// </summary>
internal static class TurnApplier
{
    public static TurnCommit Apply(Turn turn, WorkflowResponse response, string appId, DateTimeOffset now)
    {
        var instanceId = turn.Instance.InstanceId;
        var executionId = turn.CurrentExecutionId();
        var all = turn.PastEvents.Concat(turn.NewEvents).ToList();
        var start = all.Last(e => e.ExecutionStarted is not null).ExecutionStarted;
        var terminate = turn.NewEvents.FirstOrDefault(e => e.ExecutionTerminated is not null)?.ExecutionTerminated;
        var commit = new TurnCommit
        {
            InstanceId = instanceId,
            ConsumedInbox = turn.ConsumedInbox,
            Status = OrchestrationStatus.Running,
            CustomStatus = response.CustomStatus,
            Output = turn.Instance.Output,
            Failure = turn.Instance.Failure,
        };
        commit.AppendHistory.AddRange(turn.NewEvents);

        void Add(int id, Action<HistoryEvent> set)
        {
            var e = new HistoryEvent { EventId = id, Timestamp = Timestamp.FromDateTimeOffset(now) };
            set(e);
            commit.AppendHistory.Add(e);
        }

        void Complete(int id, OrchestrationStatus status, string? result, TaskFailureDetails? failure)
        {
            Add(id, e => e.ExecutionCompleted = new ExecutionCompletedEvent { WorkflowStatus = status, Result = result, FailureDetails = failure });
            commit.Status = status;
            commit.Output = result;
            commit.Failure = failure;
            if (start.ParentInstance is { } parent)
            {
                var toParent = new HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now) };
                if (status == OrchestrationStatus.Completed)
                {
                    toParent.ChildWorkflowInstanceCompleted = new ChildWorkflowInstanceCompletedEvent { TaskScheduledId = parent.TaskScheduledId, Result = result };
                }
                else
                {
                    toParent.ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent { TaskScheduledId = parent.TaskScheduledId, FailureDetails = failure };
                }

                commit.Messages.Add(new OutgoingMessage(parent.WorkflowInstance.InstanceId, toParent));
            }
        }

        foreach (var action in response.Actions)
        {
            if (commit.IsCompleted)
            {
                break; // a completion applied in this turn wins over anything after it
            }

            switch (action.WorkflowActionTypeCase)
            {
                case WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask:
                    var task = action.ScheduleTask;
                    Add(action.Id, e => e.TaskScheduled = new TaskScheduledEvent
                    {
                        Name = task.Name,
                        Version = task.Version,
                        Input = task.Input,
                        TaskExecutionId = task.TaskExecutionId,
                    });
                    commit.Activities.Add(new PendingActivity(instanceId, action.Id, executionId, new ActivityRequest
                    {
                        Name = task.Name,
                        Version = task.Version,
                        Input = task.Input,
                        WorkflowInstance = new WorkflowInstance { InstanceId = instanceId, ExecutionId = executionId },
                        TaskId = action.Id,
                        TaskExecutionId = task.TaskExecutionId,
                    }));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer:
                    var timer = action.CreateTimer;
                    Add(action.Id, e => e.TimerCreated = TimerCreated(timer));
                    commit.SelfInbox.Add((HistoryEvents.TimerFired(now, action.Id, timer.FireAt), timer.FireAt.ToDateTimeOffset()));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.SendEvent:
                    var send = action.SendEvent;
                    Add(action.Id, e => e.EventSent = new EventSentEvent { InstanceId = send.Instance.InstanceId, Name = send.Name, Input = send.Data });
                    commit.Messages.Add(new OutgoingMessage(send.Instance.InstanceId, HistoryEvents.EventRaised(now, send.Name, send.Data)));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow:
                    var child = action.CreateChildWorkflow;
                    var childId = string.IsNullOrEmpty(child.InstanceId) ? ChildInstanceId(instanceId, action.Id) : child.InstanceId;
                    Add(action.Id, e => e.ChildWorkflowInstanceCreated = new ChildWorkflowInstanceCreatedEvent
                    {
                        InstanceId = childId,
                        Name = child.Name,
                        Version = child.Version,
                        Input = child.Input,
                    });
                    commit.Messages.Add(new OutgoingMessage(childId, HistoryEvents.Started(now, new ExecutionStartedEvent
                    {
                        Name = child.Name,
                        Version = child.Version,
                        Input = child.Input,
                        WorkflowInstance = new WorkflowInstance { InstanceId = childId, ExecutionId = Guid.NewGuid().ToString() },
                        ParentInstance = new ParentInstanceInfo
                        {
                            TaskScheduledId = action.Id,
                            Name = start.Name,
                            WorkflowInstance = new WorkflowInstance { InstanceId = instanceId, ExecutionId = executionId },
                            AppID = appId,
                        },
                    })));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CreateDetachedWorkflow:
                    var detached = action.CreateDetachedWorkflow;
                    Add(action.Id, e => e.DetachedWorkflowInstanceCreated = new DetachedWorkflowInstanceCreatedEvent { InstanceId = detached.InstanceId });
                    commit.Messages.Add(new OutgoingMessage(detached.InstanceId, HistoryEvents.Started(now, new ExecutionStartedEvent
                    {
                        Name = detached.Name,
                        Version = detached.Version,
                        Input = detached.Input,
                        WorkflowInstance = new WorkflowInstance
                        {
                            InstanceId = detached.InstanceId,
                            ExecutionId = string.IsNullOrEmpty(detached.ExecutionId) ? Guid.NewGuid().ToString() : detached.ExecutionId,
                        },
                    })));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.TerminateWorkflow:
                    var target = action.TerminateWorkflow;
                    commit.Messages.Add(new OutgoingMessage(target.InstanceId, HistoryEvents.Terminated(now, target.Reason, target.Recurse)));
                    break;
                case WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow:
                    var done = action.CompleteWorkflow;
                    if (done.WorkflowStatus != OrchestrationStatus.ContinuedAsNew)
                    {
                        Complete(action.Id, done.WorkflowStatus, done.Result, done.FailureDetails);
                    }
                    else if (terminate is null)
                    {
                        // A terminate in the same batch is never lost to continue-as-new (orchestration.go stripContinueAsNewOnTerminate).
                        return ContinueAsNew(commit, start, done, now);
                    }

                    break;
                default:
                    throw new WorkflowException(WorkflowError.TurnConflict, $"workflow action {action.WorkflowActionTypeCase} is not supported by the harness");
            }
        }

        if (terminate is not null && !commit.IsCompleted)
        {
            // The worker did not honour the terminate; it is enforced (orchestration.go forceTermination).
            Complete(-1, OrchestrationStatus.Terminated, terminate.Input, null);
        }

        if (commit.IsCompleted && terminate is { Recurse: true })
        {
            foreach (var childId in commit.AppendHistory.Concat(turn.PastEvents)
                         .Where(e => e.ChildWorkflowInstanceCreated is not null)
                         .Select(e => e.ChildWorkflowInstanceCreated.InstanceId)
                         .Distinct(StringComparer.Ordinal))
            {
                commit.Messages.Add(new OutgoingMessage(childId, HistoryEvents.Terminated(now, terminate.Input, recurse: true)));
            }
        }

        if (!commit.IsCompleted && TurnPlanner.IsSuspended(all))
        {
            commit.Status = OrchestrationStatus.Suspended;
        }

        return commit;
    }

    /// <summary>
    /// The execution restarts with the result as input and a new execution id; the carried-over events (external
    /// events the workflow did not consume) are delivered again. Everything else the old execution asked for is dropped.
    /// </summary>
    private static TurnCommit ContinueAsNew(TurnCommit commit, ExecutionStartedEvent start, CompleteWorkflowAction done, DateTimeOffset now)
    {
        var executionId = Guid.NewGuid().ToString();
        var restarted = new TurnCommit
        {
            InstanceId = commit.InstanceId,
            ConsumedInbox = commit.ConsumedInbox,
            Status = OrchestrationStatus.Running,
            CustomStatus = commit.CustomStatus,
            ContinuedAsNew = true,
            NewInput = done.Result,
            NewExecutionId = executionId,
        };
        restarted.SelfInbox.Add((HistoryEvents.Started(now, new ExecutionStartedEvent
        {
            Name = start.Name,
            Version = done.NewVersion ?? start.Version,
            Input = done.Result,
            ParentInstance = start.ParentInstance,
            WorkflowInstance = new WorkflowInstance { InstanceId = commit.InstanceId, ExecutionId = executionId },
            Tags = { start.Tags },
        }), now));
        restarted.SelfInbox.AddRange(done.CarryoverEvents.Select(e => (e, now)));
        return restarted;
    }

    private static TimerCreatedEvent TimerCreated(CreateTimerAction timer)
    {
        var created = new TimerCreatedEvent { FireAt = timer.FireAt };
        if (timer.HasName)
        {
            created.Name = timer.Name;
        }

        switch (timer.OriginCase)
        {
            case CreateTimerAction.OriginOneofCase.CreateTimer:
                created.CreateTimer = timer.CreateTimer;
                break;
            case CreateTimerAction.OriginOneofCase.ExternalEvent:
                created.ExternalEvent = timer.ExternalEvent;
                break;
            case CreateTimerAction.OriginOneofCase.ActivityRetry:
                created.ActivityRetry = timer.ActivityRetry;
                break;
            case CreateTimerAction.OriginOneofCase.ChildWorkflowRetry:
                created.ChildWorkflowRetry = timer.ChildWorkflowRetry;
                break;
            default:
                break;
        }

        return created;
    }

    /// <summary>durabletask-go api/helpers/task.go GenerateChildWorkflowInstanceID: parent id + ":" + 4 hex digits of the action id.</summary>
    private static string ChildInstanceId(string parentId, int actionId) =>
        $"{parentId}:{(0x10000 + actionId).ToString("x", CultureInfo.InvariantCulture)[^4..]}";
}
