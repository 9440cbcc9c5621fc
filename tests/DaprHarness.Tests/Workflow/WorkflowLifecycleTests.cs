using Dapr.Workflow;
using Dapr.Workflow.Client;
using Grpc.Core;

namespace DaprHarness.Tests.Workflow;

/// <summary>
/// Child workflows, continue-as-new, terminate/suspend/resume, the management calls and scheduled start, through the
/// real Dapr.Workflow 1.19.0 SDK. Sources: durabletask-go@main backend/runtimestate/applier.go (child creation and
/// results, continue-as-new with carryover events), backend/orchestration.go (terminate enforcement, cascade),
/// backend/executor.go (what Terminate/Suspend/Resume/Start wait for), backend/backend.go (recursive purge);
/// dapr/dapr@master pkg/actors/targets/workflow/orchestrator/create.go (id reuse), state.go (purge needs a finished
/// workflow), pkg/runtime/wfengine/backends/actors/actors.go (history of an unknown instance is NotFound).
/// </summary>
public sealed class WorkflowLifecycleTests : IAsyncLifetime
{
    private WorkflowBed _bed = null!;

    public async Task InitializeAsync() => _bed = await WorkflowBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    // CreateChildWorkflow → ChildWorkflowInstanceCreated in the parent, the child runs with ParentInstance set, and
    // its result comes back as ChildWorkflowInstanceCompleted / ChildWorkflowInstanceFailed.
    [Fact]
    public async Task Child_workflows_report_completion_and_failure_to_the_parent()
    {
        var id = WorkflowBed.NewId("parent");
        var state = await _bed.RunAsync(nameof(ParentWorkflow), 21, id);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        // The child's FailureDetails reach the parent's WorkflowTaskFailedException.
        Assert.Equal("42|negative input (Parameter 'input')", state.ReadOutputAs<string>());
        var history = await _bed.HistoryTypesAsync(id);
        Assert.Equal(2, history.Count(t => t == WorkflowHistoryEventType.SubOrchestrationInstanceCreated));
        Assert.Contains(WorkflowHistoryEventType.SubOrchestrationInstanceCompleted, history);
        Assert.Contains(WorkflowHistoryEventType.SubOrchestrationInstanceFailed, history);

        var ok = await _bed.Client.GetWorkflowStateAsync($"{id}-ok");
        Assert.Equal(WorkflowRuntimeStatus.Completed, ok.RuntimeStatus);
        Assert.Equal(42, ok.ReadOutputAs<int>());
        var bad = await _bed.Client.GetWorkflowStateAsync($"{id}-bad");
        Assert.Equal(WorkflowRuntimeStatus.Failed, bad.RuntimeStatus);
        Assert.Contains("negative input", bad.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    // Continue-as-new restarts the instance with the result as its input and a fresh history.
    [Fact]
    public async Task Continue_as_new_restarts_with_new_input()
    {
        var id = WorkflowBed.NewId("counter");
        var state = await _bed.RunAsync(nameof(CounterWorkflow), 0, id);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(3, state.ReadOutputAs<int>());
        Assert.Equal(3, state.ReadInputAs<int>());
        var history = await _bed.HistoryTypesAsync(id);
        Assert.Single(history, t => t == WorkflowHistoryEventType.ExecutionStarted);
    }

    // Events the execution did not consume are carried over to the next one (CompleteWorkflowAction.carryoverEvents).
    [Fact]
    public async Task Continue_as_new_carries_over_unprocessed_events()
    {
        var id = await _bed.Client.ScheduleNewWorkflowAsync(nameof(EventTallyWorkflow), WorkflowBed.NewId("tally"), new Tally(0, 0));
        await _bed.Client.SuspendWorkflowAsync(id, "collect events first", WorkflowBed.Deadline());
        foreach (var value in new[] { 1, 10, 100 })
        {
            await _bed.Client.RaiseEventAsync(id, "add", value);
        }

        await _bed.Client.ResumeWorkflowAsync(id, cancellation: WorkflowBed.Deadline());
        var state = await _bed.Client.WaitForWorkflowCompletionAsync(id, cancellation: WorkflowBed.Deadline());

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(111, state.ReadOutputAs<int>());
    }

    // Terminate waits until the instance finished; the client asks for recursion, so the child is terminated too.
    [Fact]
    public async Task Terminate_is_recursive_to_children()
    {
        var id = await _bed.Client.ScheduleNewWorkflowAsync(nameof(ParentOfWaitingChildWorkflow), WorkflowBed.NewId("terminate"), "x");
        await Poll.UntilAsync(async () => (await _bed.Client.GetWorkflowStateAsync($"{id}-child")).RuntimeStatus == WorkflowRuntimeStatus.Running,
            "the child to run", WorkflowBed.Limit);

        await _bed.Client.TerminateWorkflowAsync(id, "stopped", WorkflowBed.Deadline());

        Assert.Equal(WorkflowRuntimeStatus.Terminated, (await _bed.Client.GetWorkflowStateAsync(id)).RuntimeStatus);
        var child = await _bed.Client.WaitForWorkflowCompletionAsync($"{id}-child", cancellation: WorkflowBed.Deadline());
        Assert.Equal(WorkflowRuntimeStatus.Terminated, child.RuntimeStatus);
        Assert.Contains(WorkflowHistoryEventType.ExecutionTerminated, await _bed.HistoryTypesAsync(id));
    }

    // Suspend holds the instance (status SUSPENDED, events wait in the inbox); resume lets it continue.
    [Fact]
    public async Task Suspend_holds_events_until_resume()
    {
        var id = await _bed.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), WorkflowBed.NewId("suspend"), 300);
        await _bed.Client.SuspendWorkflowAsync(id, "hold", WorkflowBed.Deadline());
        Assert.Equal(WorkflowRuntimeStatus.Suspended, (await _bed.Client.GetWorkflowStateAsync(id)).RuntimeStatus);

        await _bed.Client.RaiseEventAsync(id, "approval", new Approval("bob"));
        var held = await _bed.Client.GetWorkflowStateAsync(id);
        Assert.Equal(WorkflowRuntimeStatus.Suspended, held.RuntimeStatus);
        Assert.DoesNotContain(WorkflowHistoryEventType.EventRaised, await _bed.HistoryTypesAsync(id));

        await _bed.Client.ResumeWorkflowAsync(id, "go", WorkflowBed.Deadline());
        var done = await _bed.Client.WaitForWorkflowCompletionAsync(id, cancellation: WorkflowBed.Deadline());
        Assert.Equal("approved by bob", done.ReadOutputAs<string>());
        var history = await _bed.HistoryTypesAsync(id);
        Assert.Contains(WorkflowHistoryEventType.ExecutionSuspended, history);
        Assert.Contains(WorkflowHistoryEventType.ExecutionResumed, history);
    }

    // Get of an unknown instance: exists=false. List pages through instance ids; history of an unknown id is
    // NotFound; purge needs a finished instance, removes its children too, and reports whether it deleted anything.
    [Fact]
    public async Task Get_list_history_and_purge()
    {
        var missing = WorkflowBed.NewId("missing");
        Assert.False((await _bed.Client.GetWorkflowStateAsync(missing)).Exists);
        var noInstance = await Assert.ThrowsAsync<RpcException>(() => _bed.Client.RaiseEventAsync(missing, "approval"));
        Assert.Equal("no such instance exists", noInstance.Status.Detail);

        var parent = WorkflowBed.NewId("purge");
        await _bed.RunAsync(nameof(ParentWorkflow), 1, parent);
        var waiting = await _bed.Client.ScheduleNewWorkflowAsync(nameof(WaitForeverWorkflow), WorkflowBed.NewId("running"), "x");

        var all = (await _bed.Client.ListInstanceIdsAsync()).InstanceIds;
        Assert.Equal(new[] { parent, $"{parent}-bad", $"{parent}-ok", waiting }.Order(StringComparer.Ordinal), all);
        var first = await _bed.Client.ListInstanceIdsAsync(pageSize: 2);
        Assert.Equal(all.Take(2), first.InstanceIds);
        Assert.NotNull(first.ContinuationToken);
        var rest = await _bed.Client.ListInstanceIdsAsync(first.ContinuationToken, pageSize: 2);
        Assert.Equal(all.Skip(2), rest.InstanceIds);

        var notDone = await Assert.ThrowsAsync<RpcException>(() => _bed.Client.PurgeInstanceAsync(waiting));
        Assert.Equal("orchestration has not yet completed", notDone.Status.Detail);

        Assert.True(await _bed.Client.PurgeInstanceAsync(parent));
        Assert.False((await _bed.Client.GetWorkflowStateAsync(parent)).Exists);
        Assert.False((await _bed.Client.GetWorkflowStateAsync($"{parent}-ok")).Exists);
        var gone = await Assert.ThrowsAsync<RpcException>(() => _bed.Client.GetInstanceHistoryAsync(parent));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal([waiting], (await _bed.Client.ListInstanceIdsAsync()).InstanceIds);
    }

    // An id can be reused once its instance finished, not while it runs (orchestrator/create.go createIfCompleted).
    [Fact]
    public async Task Instance_id_is_reusable_only_after_completion()
    {
        var id = WorkflowBed.NewId("reuse");
        await _bed.Client.ScheduleNewWorkflowAsync(nameof(WaitForeverWorkflow), id, "first");
        var active = await Assert.ThrowsAsync<RpcException>(() => _bed.Client.ScheduleNewWorkflowAsync(nameof(GreetingWorkflow), id, "again"));
        Assert.Equal(StatusCode.AlreadyExists, active.StatusCode);

        await _bed.Client.TerminateWorkflowAsync(id, cancellation: WorkflowBed.Deadline());
        var state = await _bed.RunAsync(nameof(GreetingWorkflow), "again", id);
        Assert.Equal("Hello, again!", state.ReadOutputAs<string>());
    }

    // scheduledStartTimestamp: the instance stays PENDING and its first turn runs no earlier than the start time.
    [Fact]
    public async Task Scheduled_start_waits_until_the_start_time()
    {
        var startAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var id = await _bed.Client.ScheduleNewWorkflowAsync(nameof(GreetingWorkflow), WorkflowBed.NewId("scheduled"), "later", startAt);
        var early = await _bed.Client.GetWorkflowStateAsync(id);

        // Only a read made before the start time must see PENDING (a loaded machine may get there late).
        if (DateTimeOffset.UtcNow < startAt)
        {
            Assert.Equal(WorkflowRuntimeStatus.Pending, early.RuntimeStatus);
        }

        var state = await _bed.Client.WaitForWorkflowCompletionAsync(id, cancellation: WorkflowBed.Deadline());

        Assert.Equal("Hello, later!", state.ReadOutputAs<string>());
        var firstTurn = (await _bed.Client.GetInstanceHistoryAsync(id)).First(e => e.EventType == WorkflowHistoryEventType.OrchestratorStarted);
        Assert.True(firstTurn.Timestamp >= startAt.UtcDateTime, $"first turn at {firstTurn.Timestamp:O}, scheduled for {startAt:O}");
    }

    // SendEvent → EventSent in the sender's history and EventRaised in the target's inbox.
    [Fact]
    public async Task Send_event_reaches_another_instance()
    {
        var target = await _bed.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), WorkflowBed.NewId("target"), 300);
        var sender = WorkflowBed.NewId("sender");
        await _bed.RunAsync(nameof(SignalWorkflow), target, sender);

        var state = await _bed.Client.WaitForWorkflowCompletionAsync(target, cancellation: WorkflowBed.Deadline());
        Assert.Equal("approved by signal", state.ReadOutputAs<string>());
        Assert.Contains(WorkflowHistoryEventType.EventSent, await _bed.HistoryTypesAsync(sender));
    }

    // Rows are keyed by app id: apps sharing the database see only their own instances, even under equal ids.
    [Fact]
    public async Task Apps_sharing_the_database_keep_their_own_instances()
    {
        await using var other = await WorkflowBed.StartAsync();
        var id = WorkflowBed.NewId("shared");
        await _bed.RunAsync(nameof(GreetingWorkflow), "one", id);
        await other.RunAsync(nameof(GreetingWorkflow), "two", id);

        Assert.Equal("Hello, one!", (await _bed.Client.GetWorkflowStateAsync(id)).ReadOutputAs<string>());
        Assert.Equal("Hello, two!", (await other.Client.GetWorkflowStateAsync(id)).ReadOutputAs<string>());
        Assert.Equal([id], (await other.Client.ListInstanceIdsAsync()).InstanceIds);
    }
}
