using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DaprHarness.Workflow;

/// <summary>
/// History events the sidecar creates itself. Their eventId is -1 (durabletask-go backend/orchestration.go,
/// runtimestate/applier.go); the worker matches results by taskScheduledId / timerId, never by these ids.
/// </summary>
internal static class HistoryEvents
{
    public static HistoryEvent WorkflowStarted(DateTimeOffset now) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), WorkflowStarted = new WorkflowStartedEvent() };

    public static HistoryEvent EventRaised(DateTimeOffset now, string name, string? input) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), EventRaised = new EventRaisedEvent { Name = name, Input = input } };

    public static HistoryEvent Terminated(DateTimeOffset now, string? output, bool recurse) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), ExecutionTerminated = new ExecutionTerminatedEvent { Input = output, Recurse = recurse } };

    public static HistoryEvent Suspended(DateTimeOffset now, string? reason) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), ExecutionSuspended = new ExecutionSuspendedEvent { Input = reason } };

    public static HistoryEvent Resumed(DateTimeOffset now, string? reason) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), ExecutionResumed = new ExecutionResumedEvent { Input = reason } };

    public static HistoryEvent Started(DateTimeOffset now, ExecutionStartedEvent started) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), ExecutionStarted = started };

    public static HistoryEvent TimerFired(DateTimeOffset now, int timerId, Timestamp fireAt) =>
        new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), TimerFired = new TimerFiredEvent { TimerId = timerId, FireAt = fireAt } };

    /// <summary>An activity's result as the workflow receives it (durabletask-go backend/executor.go activityResponseEvent).</summary>
    public static HistoryEvent ActivityResult(DateTimeOffset now, ActivityResponse response, string taskExecutionId) =>
        response.FailureDetails is { } failure
            ? new HistoryEvent
            {
                EventId = -1,
                Timestamp = Timestamp.FromDateTimeOffset(now),
                TaskFailed = new TaskFailedEvent { TaskScheduledId = response.TaskId, FailureDetails = failure, TaskExecutionId = taskExecutionId },
            }
            : new HistoryEvent
            {
                EventId = -1,
                Timestamp = Timestamp.FromDateTimeOffset(now),
                TaskCompleted = new TaskCompletedEvent { TaskScheduledId = response.TaskId, Result = response.Result, TaskExecutionId = taskExecutionId },
            };

    public static HistoryEvent Parse(byte[] bytes) => HistoryEvent.Parser.ParseFrom(bytes);

    public static byte[] Bytes(this IMessage message) => message.ToByteArray();
}
