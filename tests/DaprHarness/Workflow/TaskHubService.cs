using Dapr.DurableTask.Protobuf;
using DaprHarness.Grpc;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprHarness.Workflow;

/// <summary>
/// <c>TaskHubSidecarService</c> (orchestrator_service.proto, no package), which Dapr.Workflow's worker and
/// DaprWorkflowClient call. Bound from the descriptor in Dapr.Workflow.Grpc like the runtime API; the grpcExecutor
/// of durabletask-go (backend/executor.go) is the reference for what each call waits for and answers.
/// RerunWorkflowFromEvent is not implemented (UNIMPLEMENTED).
/// </summary>
[BindServiceMethod(typeof(TaskHubService), nameof(BindService))]
public class TaskHubService(WorkflowEngine engine, IHostApplicationLifetime lifetime)
{
    /// <summary>daprd's answer when no state store has actorStateStore "true" (pkg/messages ErrActorRuntimeNotFound).</summary>
    public const string NoActorStateStore =
        "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?";

    public static void BindService(ServiceBinderBase binder, TaskHubService? service) =>
        DescriptorServiceBinder.Bind(binder, TaskHubSidecarService.Descriptor, typeof(TaskHubService));

    public virtual Task<Empty> Hello(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public virtual Task<CreateInstanceResponse> StartInstance(CreateInstanceRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        var instanceId = await engine.StartAsync(request, ct);

        // The executor waits for the first turn unless the start is scheduled (executor.go StartInstance).
        if (request.ScheduledStartTimestamp is null)
        {
            await engine.WaitAsync(instanceId, i => i.Status != OrchestrationStatus.Pending, ct);
        }

        return new CreateInstanceResponse { InstanceId = instanceId };
    });

    public virtual Task<GetInstanceResponse> GetInstance(GetInstanceRequest request, ServerCallContext context) => Call(context, async ct =>
        await engine.Store.GetAsync(request.InstanceId, ct) is { } instance
            ? new GetInstanceResponse { Exists = true, WorkflowState = WorkflowEngine.ToState(instance, request.GetInputsAndOutputs) }
            : new GetInstanceResponse { Exists = false });

    public virtual Task<GetInstanceResponse> WaitForInstanceStart(GetInstanceRequest request, ServerCallContext context) =>
        Wait(request, context, i => i.Status != OrchestrationStatus.Pending);

    public virtual Task<GetInstanceResponse> WaitForInstanceCompletion(GetInstanceRequest request, ServerCallContext context) =>
        Wait(request, context, i => i.IsCompleted);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The gRPC method name is fixed by orchestrator_service.proto.")]
    public virtual Task<RaiseEventResponse> RaiseEvent(RaiseEventRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        await engine.AddEventAsync(request.InstanceId, HistoryEvents.EventRaised(engine.Clock.GetUtcNow(), request.Name, request.Input), ct);
        return new RaiseEventResponse();
    });

    /// <summary>Adds ExecutionTerminated and waits until the instance has finished (executor.go TerminateInstance).</summary>
    public virtual Task<TerminateResponse> TerminateInstance(TerminateRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        await engine.AddEventAsync(request.InstanceId, HistoryEvents.Terminated(engine.Clock.GetUtcNow(), request.Output, request.Recursive), ct);
        await engine.WaitAsync(request.InstanceId, i => i.IsCompleted, ct);
        return new TerminateResponse();
    });

    public virtual Task<SuspendResponse> SuspendInstance(SuspendRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        await engine.AddEventAsync(request.InstanceId, HistoryEvents.Suspended(engine.Clock.GetUtcNow(), NullIfEmpty(request.Reason)), ct);
        await engine.WaitAsync(request.InstanceId, i => i.Status == OrchestrationStatus.Suspended, ct);
        return new SuspendResponse();
    });

    public virtual Task<ResumeResponse> ResumeInstance(ResumeRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        await engine.AddEventAsync(request.InstanceId, HistoryEvents.Resumed(engine.Clock.GetUtcNow(), NullIfEmpty(request.Reason)), ct);
        await engine.WaitAsync(request.InstanceId, i => i.Status == OrchestrationStatus.Running, ct);
        return new ResumeResponse();
    });

    public virtual Task<PurgeInstancesResponse> PurgeInstances(PurgeInstancesRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        if (request.RequestCase != PurgeInstancesRequest.RequestOneofCase.InstanceId)
        {
            throw new RpcException(new Status(StatusCode.Unknown, "multi-instance purge is not implemented"));
        }

        var deleted = await engine.Store.PurgeAsync(request.InstanceId, request.Recursive, request.HasForce && request.Force, ct);
        return new PurgeInstancesResponse { DeletedInstanceCount = deleted, IsComplete = true };
    });

    public virtual async Task GetWorkItems(GetWorkItemsRequest request, IServerStreamWriter<WorkItem> responseStream, ServerCallContext context)
    {
        RequireEnabled();
        await engine.EnsureSchemaAsync(context.CancellationToken);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        await engine.Streams.RunAsync(responseStream, stopping.Token);
    }

    public virtual Task<CompleteTaskResponse> CompleteActivityTask(ActivityResponse request, ServerCallContext context) => Call(context, async _ =>
    {
        // Not tied to the caller's cancellation: a result that reached the sidecar is recorded.
        await engine.CompleteActivityAsync(request, lifetime.ApplicationStopping);
        return new CompleteTaskResponse();
    });

    /// <summary>Deprecated name, still the one Dapr.Workflow 1.19.0's worker calls (GrpcProtocolHandler.cs).</summary>
    public virtual Task<CompleteTaskResponse> CompleteOrchestratorTask(WorkflowResponse request, ServerCallContext context) =>
        CompleteWorkflowTask(request, context);

    public virtual Task<CompleteTaskResponse> CompleteWorkflowTask(WorkflowResponse request, ServerCallContext context) => Call(context, async _ =>
    {
        await engine.CompleteTurnAsync(request, lifetime.ApplicationStopping);
        return new CompleteTaskResponse();
    });

    /// <summary>Instance ids in id order; the continuation token is the last id of a full page.</summary>
    public virtual Task<ListInstanceIDsResponse> ListInstanceIDs(ListInstanceIDsRequest request, ServerCallContext context) => Call(context, async ct =>
    {
        int? pageSize = request.HasPageSize && request.PageSize > 0 ? (int)Math.Min(request.PageSize, int.MaxValue - 1) : null;
        var ids = await engine.Store.ListAsync(request.HasContinuationToken ? request.ContinuationToken : null, pageSize, ct);
        var response = new ListInstanceIDsResponse();
        if (pageSize is { } size && ids.Count > size)
        {
            response.InstanceIds.AddRange(ids.Take(size));
            response.ContinuationToken = ids[size - 1];
        }
        else
        {
            response.InstanceIds.AddRange(ids);
        }

        return response;
    });

    public virtual Task<GetInstanceHistoryResponse> GetInstanceHistory(GetInstanceHistoryRequest request, ServerCallContext context) => Call(context, async ct =>
        await engine.Store.HistoryAsync(request.InstanceId, ct) is { } history
            ? new GetInstanceHistoryResponse { Events = { history } }
            : throw new RpcException(new Status(StatusCode.NotFound, $"workflow instance '{request.InstanceId}' not found")));

    private Task<GetInstanceResponse> Wait(GetInstanceRequest request, ServerCallContext context, Func<InstanceRow, bool> condition) => Call(context, async ct =>
    {
        var instance = await engine.WaitAsync(request.InstanceId, condition, ct);
        return new GetInstanceResponse { Exists = true, WorkflowState = WorkflowEngine.ToState(instance, request.GetInputsAndOutputs) };
    });

    /// <summary>
    /// Runs a handler until the caller goes away or the sidecar stops; waits cut short by a stop answer Unavailable,
    /// which DaprWorkflowClient retries (WorkflowGrpcClient.WaitForInstanceAsync), as after a lost connection.
    /// </summary>
    private async Task<T> Call<T>(ServerCallContext context, Func<CancellationToken, Task<T>> handler)
    {
        RequireEnabled();
        using var call = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await engine.EnsureSchemaAsync(call.Token);
            return await handler(call.Token);
        }
        catch (WorkflowException e)
        {
            throw e.ToRpc();
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the sidecar is shutting down"));
        }
    }

    private void RequireEnabled()
    {
        if (!engine.Enabled)
        {
            throw new RpcException(new Status(StatusCode.Internal, NoActorStateStore));
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
