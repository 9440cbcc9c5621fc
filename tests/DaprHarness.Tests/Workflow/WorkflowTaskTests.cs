using Dapr.Workflow;
using Dapr.Workflow.Client;

namespace DaprHarness.Tests.Workflow;

/// <summary>
/// Activities, timers, external events, SDK-side retries and custom status on the real Dapr.Workflow 1.19.0 worker
/// and DaprWorkflowClient. The engine contract follows durabletask-go (github.com/dapr/durabletask-go@main)
/// backend/runtimestate/applier.go (actions → history events with eventId = action id) and backend/executor.go
/// (activity results as TaskCompleted/TaskFailed with taskScheduledId = taskId).
/// </summary>
public sealed class WorkflowTaskTests : IAsyncLifetime
{
    private WorkflowBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    // An activity's result reaches the workflow; history: ExecutionStarted, TaskScheduled, TaskCompleted, ExecutionCompleted.
    [Fact]
    public async Task Activity_result_completes_the_workflow()
    {
        var state = await _bed.RunAsync(nameof(GreetingWorkflow), "world");

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal("Hello, world!", state.ReadOutputAs<string>());
        Assert.Equal("world", state.ReadInputAs<string>());
        Assert.Equal(nameof(GreetingWorkflow), state.WorkflowName);
        var history = await _bed.HistoryTypesAsync((await _bed.Client.ListInstanceIdsAsync()).InstanceIds.Single());
        Assert.Equal(
            [WorkflowHistoryEventType.OrchestratorStarted, WorkflowHistoryEventType.ExecutionStarted, WorkflowHistoryEventType.TaskScheduled,
             WorkflowHistoryEventType.OrchestratorStarted, WorkflowHistoryEventType.TaskCompleted, WorkflowHistoryEventType.ExecutionCompleted],
            history);
    }

    // An activity's exception arrives as TaskFailed with FailureDetails (GrpcProtocolHandler.CreateActivityFailureResult):
    // the workflow can catch it as WorkflowTaskFailedException, or fail with it.
    [Fact]
    public async Task Activity_failure_carries_failure_details()
    {
        var caught = await _bed.RunAsync(nameof(FailingActivityWorkflow), new FailInput("caught", Catch: true));
        Assert.Equal(WorkflowRuntimeStatus.Completed, caught.RuntimeStatus);
        Assert.Equal("System.InvalidOperationException|boom: caught", caught.ReadOutputAs<string>());

        var failed = await _bed.RunAsync(nameof(FailingActivityWorkflow), new FailInput("uncaught", Catch: false));
        Assert.Equal(WorkflowRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.NotNull(failed.FailureDetails);
        Assert.Contains("boom: uncaught", failed.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    // A durable timer fires at its fireAt: the workflow's clock after the timer is not before the requested time.
    [Fact]
    public async Task Timer_fires_and_advances_workflow_time()
    {
        var id = WorkflowBed.NewId("timer");
        var state = await _bed.RunAsync(nameof(TimerWorkflow), 1, id);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var times = state.ReadOutputAs<DateTime[]>()!;
        Assert.True(times[1] >= times[0].AddSeconds(1), $"workflow time after the timer {times[1]:O} is before fireAt {times[0].AddSeconds(1):O}");
        var history = await _bed.HistoryTypesAsync(id);
        Assert.Contains(WorkflowHistoryEventType.TimerCreated, history);
        Assert.Contains(WorkflowHistoryEventType.TimerFired, history);
    }

    // RaiseEvent delivers EventRaised to the waiting workflow; custom status is reported with inputs and outputs.
    [Fact]
    public async Task External_event_is_delivered_and_custom_status_reported()
    {
        var id = await _bed.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), WorkflowBed.NewId("approval"), 300);
        var started = await _bed.Client.WaitForWorkflowStartAsync(id, cancellation: WorkflowBed.Deadline());
        Assert.Equal(WorkflowRuntimeStatus.Running, started.RuntimeStatus);
        Assert.Equal("waiting-for-approval", started.ReadCustomStatusAs<string>());

        await _bed.Client.RaiseEventAsync(id, "approval", new Approval("alice"));
        var done = await _bed.Client.WaitForWorkflowCompletionAsync(id, cancellation: WorkflowBed.Deadline());

        Assert.Equal("approved by alice", done.ReadOutputAs<string>());
        Assert.Equal("approved", done.ReadCustomStatusAs<string>());
        Assert.Contains(WorkflowHistoryEventType.EventRaised, await _bed.HistoryTypesAsync(id));
    }

    // The SDK implements the wait timeout with a durable timer; when it fires first the wait is cancelled.
    [Fact]
    public async Task External_event_wait_times_out_through_a_timer()
    {
        var id = WorkflowBed.NewId("approval-timeout");
        var state = await _bed.RunAsync(nameof(ApprovalWorkflow), 1, id);

        Assert.Equal("timed out", state.ReadOutputAs<string>());
        Assert.Contains(WorkflowHistoryEventType.TimerFired, await _bed.HistoryTypesAsync(id));
    }

    // Retries are the SDK's: each failed attempt is followed by a retry timer, then the task is scheduled again
    // (DAPR-FACTS Part B §2; Dapr.Workflow TimerOriginActivityRetry). The backend needs only timers.
    [Fact]
    public async Task Activity_retries_arrive_as_timers()
    {
        var id = WorkflowBed.NewId("retry");
        var state = await _bed.RunAsync(nameof(RetryWorkflow), id, id);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(3, state.ReadOutputAs<int>());
        var history = await _bed.HistoryTypesAsync(id);
        Assert.Equal(3, history.Count(t => t == WorkflowHistoryEventType.TaskScheduled));
        Assert.Equal(2, history.Count(t => t == WorkflowHistoryEventType.TaskFailed));
        Assert.Equal(2, history.Count(t => t == WorkflowHistoryEventType.TimerFired));
    }
}
