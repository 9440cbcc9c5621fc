using Dapr.DurableTask.Protobuf;

namespace DaprHarness.Workflow;

/// <summary>One workflow instance's metadata row (what GetInstance reports).</summary>
internal sealed record InstanceRow(
    string InstanceId,
    string Name,
    OrchestrationStatus Status,
    string ExecutionId,
    string? Input,
    string? Output,
    string? CustomStatus,
    TaskFailureDetails? Failure,
    string? ParentInstanceId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? CompletedAt)
{
    public bool IsCompleted => IsTerminal(Status);

    /// <summary>durabletask-go api.WorkflowMetadataIsComplete.</summary>
    public static bool IsTerminal(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
}

/// <summary>An event waiting in an instance's inbox; timers and scheduled starts become visible at their due time.</summary>
internal sealed record InboxEntry(long Seq, HistoryEvent Event, DateTimeOffset VisibleAt);

/// <summary>An activity the workflow scheduled and whose result has not arrived yet.</summary>
internal sealed record PendingActivity(string InstanceId, int TaskId, string ExecutionId, ActivityRequest Request);

/// <summary>What a turn is computed from: the instance, its committed history and the inbox events visible now.</summary>
internal sealed record InstanceSnapshot(InstanceRow Instance, IReadOnlyList<HistoryEvent> History, IReadOnlyList<InboxEntry> VisibleInbox);

/// <summary>One orchestration work item: the worker replays <see cref="PastEvents"/> then runs <see cref="NewEvents"/>.</summary>
internal sealed record Turn(
    InstanceRow Instance,
    IReadOnlyList<HistoryEvent> PastEvents,
    IReadOnlyList<HistoryEvent> NewEvents,
    IReadOnlyList<long> ConsumedInbox)
{
    public WorkflowRequest ToRequest() => new()
    {
        InstanceId = Instance.InstanceId,
        ExecutionId = CurrentExecutionId(),
        PastEvents = { PastEvents },
        NewEvents = { NewEvents },
    };

    /// <summary>The execution id of the ExecutionStarted being replayed or delivered.</summary>
    public string CurrentExecutionId() =>
        PastEvents.Concat(NewEvents).LastOrDefault(e => e.ExecutionStarted is not null)?.ExecutionStarted.WorkflowInstance?.ExecutionId
        ?? Instance.ExecutionId;
}

/// <summary>An event for another instance, produced by a turn (child creation, child result, sent event, cascade terminate).</summary>
internal sealed record OutgoingMessage(string TargetInstanceId, HistoryEvent Event);

/// <summary>Everything one completed turn changes; the store applies it in one transaction.</summary>
internal sealed class TurnCommit
{
    public required string InstanceId { get; init; }

    public required IReadOnlyList<long> ConsumedInbox { get; init; }

    public List<HistoryEvent> AppendHistory { get; } = [];

    /// <summary>Continue-as-new: the old execution's history is dropped and <see cref="SelfInbox"/> starts the new one.</summary>
    public bool ContinuedAsNew { get; set; }

    public required OrchestrationStatus Status { get; set; }

    public string? Output { get; set; }

    public TaskFailureDetails? Failure { get; set; }

    public string? CustomStatus { get; set; }

    public string? NewInput { get; set; }

    public string? NewExecutionId { get; set; }

    public List<PendingActivity> Activities { get; } = [];

    /// <summary>Events for this instance's own inbox: fired timers (visible at fireAt), the next execution's start.</summary>
    public List<(HistoryEvent Event, DateTimeOffset VisibleAt)> SelfInbox { get; } = [];

    public List<OutgoingMessage> Messages { get; } = [];

    public bool IsCompleted => InstanceRow.IsTerminal(Status);
}
