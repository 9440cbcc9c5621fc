using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Testing;

namespace DaprHarness.Tests.Workflow;

/// <summary>
/// The TaskHubSidecarService wire contract, driven with the raw client of Dapr.Workflow.Grpc 1.19.0 where the SDK's
/// worker would hide it: the work item shapes (pastEvents = committed history, newEvents = [WorkflowStarted] +
/// inbox, durabletask-go@main backend/orchestration.go), both completion methods (CompleteOrchestratorTask is the
/// deprecated alias of CompleteWorkflowTask, backend/executor.go), completion tokens (a response echoing another
/// dispatch's token is discarded; one for nothing in flight is an "unknown instance ID" error,
/// backend/local/task.go), re-dispatch after a stream drop, and one orchestration work item per instance at a time.
/// </summary>
public sealed class WorkflowProtocolTests : IAsyncLifetime
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(60);

    private WorkflowBed _bed = null!;
    private GrpcChannel _channel = null!;
    private TaskHubSidecarService.TaskHubSidecarServiceClient _raw = null!;

    public async Task InitializeAsync()
    {
        _bed = await WorkflowBed.StartAsync(startApp: false);
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_bed.Sidecar.GrpcPort}");
        _raw = new TaskHubSidecarService.TaskHubSidecarServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _bed.DisposeAsync();
    }

    [Fact]
#pragma warning disable CS0612 // CompleteOrchestratorTask is deprecated in the proto, but it is what the 1.19.0 worker calls.
    public async Task Work_items_tokens_and_redispatch_follow_the_backend_contract()
    {
        var id = WorkflowBed.NewId("raw");
        var first = _raw.GetWorkItems(new GetWorkItemsRequest());
        var start = _raw.StartInstanceAsync(new CreateInstanceRequest { InstanceId = id, Name = "RawWorkflow", Input = "\"in\"" }).ResponseAsync;

        var turn1 = await NextAsync(first);
        Assert.Equal(id, turn1.WorkflowRequest.InstanceId);
        Assert.Empty(turn1.WorkflowRequest.PastEvents);
        Assert.Equal([HistoryEvent.EventTypeOneofCase.WorkflowStarted, HistoryEvent.EventTypeOneofCase.ExecutionStarted], Types(turn1.WorkflowRequest.NewEvents));
        var started = turn1.WorkflowRequest.NewEvents[1].ExecutionStarted;
        Assert.Equal(("RawWorkflow", "\"in\"", id), (started.Name, started.Input, started.WorkflowInstance.InstanceId));
        Assert.Equal(started.WorkflowInstance.ExecutionId, turn1.WorkflowRequest.ExecutionId);

        // The stream drops with the turn unanswered: the next stream gets it again, with a new token.
        first.Dispose();
        using var second = _raw.GetWorkItems(new GetWorkItemsRequest());
        var turn2 = await NextAsync(second);
        Assert.Equal(turn1.WorkflowRequest.NewEvents[1], turn2.WorkflowRequest.NewEvents[1]);
        Assert.NotEqual(turn1.CompletionToken, turn2.CompletionToken);

        // An answer with the dropped dispatch's token is discarded.
        await _raw.CompleteWorkflowTaskAsync(Completion(id, turn1.CompletionToken, "\"stale\""));
        var pending = await _raw.GetInstanceAsync(new GetInstanceRequest { InstanceId = id });
        Assert.Equal(OrchestrationStatus.Pending, pending.WorkflowState.WorkflowStatus);

        // CompleteWorkflowTask with the current token: the action becomes TaskScheduled (eventId = action id).
        await _raw.CompleteWorkflowTaskAsync(new WorkflowResponse
        {
            InstanceId = id,
            CompletionToken = turn2.CompletionToken,
            CustomStatus = "\"step-1\"",
            Actions = { new WorkflowAction { Id = 0, ScheduleTask = new ScheduleTaskAction { Name = "RawActivity", Input = "\"a\"" } } },
        });
        Assert.Equal(id, (await start).InstanceId);

        var activity1 = await NextAsync(second);
        Assert.Equal(("RawActivity", "\"a\"", 0, id), (activity1.ActivityRequest.Name, activity1.ActivityRequest.Input, activity1.ActivityRequest.TaskId,
            activity1.ActivityRequest.WorkflowInstance.InstanceId));

        // Activities in flight are handed out again too.
        second.Dispose();
        using var third = _raw.GetWorkItems(new GetWorkItemsRequest());
        var activity2 = await NextAsync(third);
        Assert.Equal(activity1.ActivityRequest, activity2.ActivityRequest);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => _raw.CompleteActivityTaskAsync(
            new ActivityResponse { InstanceId = WorkflowBed.NewId("nobody"), TaskId = 0, Result = "1", CompletionToken = activity2.CompletionToken }).ResponseAsync);
        Assert.Equal(StatusCode.Unknown, unknown.StatusCode);
        Assert.StartsWith("unknown instance ID/task ID combo", unknown.Status.Detail, StringComparison.Ordinal);

        await _raw.CompleteActivityTaskAsync(new ActivityResponse { InstanceId = id, TaskId = 0, Result = "\"r\"", CompletionToken = activity2.CompletionToken });
        var turn3 = await NextAsync(third);
        Assert.Equal(
            [HistoryEvent.EventTypeOneofCase.WorkflowStarted, HistoryEvent.EventTypeOneofCase.ExecutionStarted, HistoryEvent.EventTypeOneofCase.TaskScheduled],
            Types(turn3.WorkflowRequest.PastEvents));
        Assert.Equal(0, turn3.WorkflowRequest.PastEvents[2].EventId);
        Assert.Equal([HistoryEvent.EventTypeOneofCase.WorkflowStarted, HistoryEvent.EventTypeOneofCase.TaskCompleted], Types(turn3.WorkflowRequest.NewEvents));
        Assert.Equal((0, "\"r\""), (turn3.WorkflowRequest.NewEvents[1].TaskCompleted.TaskScheduledId, turn3.WorkflowRequest.NewEvents[1].TaskCompleted.Result));

        // The deprecated CompleteOrchestratorTask (what the 1.19.0 worker calls) completes the workflow.
        await _raw.CompleteOrchestratorTaskAsync(Completion(id, turn3.CompletionToken, "\"done\""));
        var done = await _raw.WaitForInstanceCompletionAsync(new GetInstanceRequest { InstanceId = id, GetInputsAndOutputs = true });
        Assert.Equal((OrchestrationStatus.Completed, "\"done\"", "\"in\""), (done.WorkflowState.WorkflowStatus, done.WorkflowState.Output, done.WorkflowState.Input));

        // Nothing of the instance is in flight any more: answering again is an unknown instance.
        var again = await Assert.ThrowsAsync<RpcException>(() => _raw.CompleteOrchestratorTaskAsync(Completion(id, turn3.CompletionToken, "\"again\"")).ResponseAsync);
        Assert.Equal($"unknown instance ID: {id}", again.Status.Detail);
        var history = await _raw.GetInstanceHistoryAsync(new GetInstanceHistoryRequest { InstanceId = id });
        Assert.Equal(OrchestrationStatus.Completed, history.Events.Last().ExecutionCompleted.WorkflowStatus);
    }
#pragma warning restore CS0612

    // Events arriving while a turn is in flight wait for it and go out together in the instance's next turn.
    // A forced purge removes an instance that has not finished.
    [Fact]
    public async Task One_orchestration_work_item_per_instance_is_in_flight()
    {
        var id = WorkflowBed.NewId("single");
        using var stream = _raw.GetWorkItems(new GetWorkItemsRequest());
        var start = _raw.StartInstanceAsync(new CreateInstanceRequest { InstanceId = id, Name = "RawWorkflow" }).ResponseAsync;
        var turn1 = await NextAsync(stream);

        await _raw.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "e1", Input = "1" });
        await _raw.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "e2", Input = "2" });
        await _raw.CompleteWorkflowTaskAsync(new WorkflowResponse { InstanceId = id, CompletionToken = turn1.CompletionToken });
        await start;

        var turn2 = await NextAsync(stream);
        Assert.Equal(id, turn2.WorkflowRequest.InstanceId);
        Assert.Equal([HistoryEvent.EventTypeOneofCase.WorkflowStarted, HistoryEvent.EventTypeOneofCase.ExecutionStarted], Types(turn2.WorkflowRequest.PastEvents));
        Assert.Equal(
            [HistoryEvent.EventTypeOneofCase.WorkflowStarted, HistoryEvent.EventTypeOneofCase.EventRaised, HistoryEvent.EventTypeOneofCase.EventRaised],
            Types(turn2.WorkflowRequest.NewEvents));
        Assert.Equal(["e1", "e2"], turn2.WorkflowRequest.NewEvents.Skip(1).Select(e => e.EventRaised.Name));
        Assert.Equal(OrchestrationStatus.Running, (await _raw.GetInstanceAsync(new GetInstanceRequest { InstanceId = id })).WorkflowState.WorkflowStatus);

        // A forced purge deletes an instance that has not finished (PurgeInstancesRequest.force).
        Assert.Equal(1, (await _raw.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = id, Force = true })).DeletedInstanceCount);
        Assert.False((await _raw.GetInstanceAsync(new GetInstanceRequest { InstanceId = id })).Exists);
    }

    // Without an actor state store daprd has no workflow engine: ErrActorRuntimeNotFound (pkg/messages/predefined.go).
    [Fact]
    public async Task Engine_is_off_without_an_actor_state_store()
    {
        using var files = new TempFiles();
        var resources = files.Resources(("store.yaml", ComponentYaml.Component("plain", "state.postgresql", "v2",
            [("tablePrefix", "workflow_state_")], envRefs: [("connectionString", "PLATFORM_PG_DSN")])));
        await using var sidecar = await HarnessInstance.StartAsync($"nowf-{Guid.NewGuid():N}"[..20], resources, configPath: null);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{sidecar.GrpcPort}");
        var raw = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);

        var e = await Assert.ThrowsAsync<RpcException>(() => raw.GetInstanceAsync(new GetInstanceRequest { InstanceId = "x" }).ResponseAsync);
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("the state store is not configured to use the actor runtime", e.Status.Detail, StringComparison.Ordinal);
        await raw.HelloAsync(new Google.Protobuf.WellKnownTypes.Empty());
    }

    // The real local_parity set: workflow-state (actorStateStore "true") is scoped to ofs and mf only.
    [Fact]
    public async Task Local_parity_enables_workflows_for_ofs_only()
    {
        await using var ofs = await HarnessInstance.StartAsync("ofs");
        await using var ig = await HarnessInstance.StartAsync("ig");
        using var ofsChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{ofs.GrpcPort}");
        using var igChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{ig.GrpcPort}");

        var missing = await new TaskHubSidecarService.TaskHubSidecarServiceClient(ofsChannel)
            .GetInstanceAsync(new GetInstanceRequest { InstanceId = WorkflowBed.NewId("none") });
        Assert.False(missing.Exists);
        var off = await Assert.ThrowsAsync<RpcException>(() => new TaskHubSidecarService.TaskHubSidecarServiceClient(igChannel)
            .GetInstanceAsync(new GetInstanceRequest { InstanceId = "x" }).ResponseAsync);
        Assert.Equal(StatusCode.Internal, off.StatusCode);
    }

    private static WorkflowResponse Completion(string id, string token, string result) => new()
    {
        InstanceId = id,
        CompletionToken = token,
        Actions = { new WorkflowAction { Id = 1, CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = OrchestrationStatus.Completed, Result = result } } },
    };

    private static HistoryEvent.EventTypeOneofCase[] Types(IEnumerable<HistoryEvent> events) => [.. events.Select(e => e.EventTypeCase)];

    private static async Task<WorkItem> NextAsync(AsyncServerStreamingCall<WorkItem> stream)
    {
        using var limit = new CancellationTokenSource(ReadLimit);
        Assert.True(await stream.ResponseStream.MoveNext(limit.Token), "the work item stream ended");
        return stream.ResponseStream.Current;
    }
}
