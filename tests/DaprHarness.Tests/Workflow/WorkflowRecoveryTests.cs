using Dapr.Workflow;
using Dapr.Workflow.Client;

namespace DaprHarness.Tests.Workflow;

/// <summary>
/// What survives a worker disconnect and a sidecar restart. When a GetWorkItems stream ends, the work items it
/// carried and that were not answered are handed out again (durabletask-go@main backend/executor.go: GetWorkItems
/// cancels the stream's pending workflows and activities on disconnect, and the backend re-drives them). State is
/// durable, so a new harness on the same database finishes the workflow (dapr keeps workflow state in the actor
/// state store). The 1.19.0 worker reconnects 5 s after its stream fails (GrpcProtocolHandler.ReconnectDelay).
/// </summary>
public sealed class WorkflowRecoveryTests
{
    [Fact]
    public async Task Activity_in_flight_is_dispatched_again_when_the_worker_stream_drops()
    {
        var first = new Gate { BlocksFirstCall = true };
        await using var bed = await WorkflowBed.StartAsync(first);
        try
        {
            var id = await bed.Client.ScheduleNewWorkflowAsync(nameof(GatedWorkflow), WorkflowBed.NewId("dropped"), "x");
            await first.Entered.Task.WaitAsync(WorkflowBed.Limit);

            // The first worker goes away with the activity unanswered; a second worker connects.
            await bed.StopAppAsync();
            var second = new Gate();
            await bed.StartAppAsync(second);

            var state = await bed.Client.WaitForWorkflowCompletionAsync(id, cancellation: WorkflowBed.Deadline());
            Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
            Assert.Equal("gated x", state.ReadOutputAs<string>());
            Assert.Equal(1, second.Calls);
        }
        finally
        {
            first.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task Workflow_completes_after_a_harness_restart_mid_run()
    {
        var gate = new Gate { BlocksFirstCall = true };
        await using var bed = await WorkflowBed.StartAsync(gate);
        try
        {
            var id = await bed.Client.ScheduleNewWorkflowAsync(nameof(TimerThenActivityWorkflow), WorkflowBed.NewId("restart"), "y");
            await gate.Entered.Task.WaitAsync(WorkflowBed.Limit);

            // The durable timer has fired and the activity is in flight: a new harness on the same database takes over.
            await bed.Sidecar.RestartAsync();

            var state = await bed.Client.WaitForWorkflowCompletionAsync(id, cancellation: WorkflowBed.Deadline());
            Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
            Assert.Equal("gated y", state.ReadOutputAs<string>());
            Assert.Equal(2, gate.Calls);
            var history = (await bed.Client.GetInstanceHistoryAsync(id)).Select(e => e.EventType).ToList();
            Assert.Single(history, t => t == WorkflowHistoryEventType.TimerFired);
            Assert.Single(history, t => t == WorkflowHistoryEventType.TaskCompleted);
        }
        finally
        {
            gate.Release.TrySetResult();
        }
    }
}
