using Dapr.DurableTask.Protobuf;
using DaprHarness.Components;
using Google.Protobuf.WellKnownTypes;

namespace DaprHarness.Workflow;

/// <summary>
/// The sidecar's workflow engine for one app: the durable instance store, the in-flight work items, the workers'
/// streams and the dispatcher's wake-ups. Enabled only when the app has an actor state store, as daprd requires
/// (pkg/runtime/wfengine/backends/actors: requireActorStateStore).
/// </summary>
public sealed class WorkflowEngine : IDisposable
{
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private bool _schemaReady;
    private readonly ILogger _logger;

    public WorkflowEngine(HarnessRuntime runtime, ILogger<WorkflowEngine> logger)
    {
        _logger = logger;
        var context = runtime.Context;
        AppId = runtime.Flags.AppId;
        Clock = context.Clock;
        Enabled = runtime.Components.OfKind<IActorStateStore>().Any();
        Scheduler = new TimerScheduler(Clock);
        InFlight = new InFlightWork();
        Streams = new WorkItemStreams(InFlight, Scheduler, logger);
        // Without an actor state store there may be no database; every entry point checks Enabled first.
        Store = new WorkflowStore(Enabled ? context.HarnessDatabase : null!, AppId);
        Watchers = new InstanceWatchers();
    }

    public string AppId { get; }

    public bool Enabled { get; }

    internal TimeProvider Clock { get; }

    internal WorkflowStore Store { get; }

    internal InFlightWork InFlight { get; }

    internal WorkItemStreams Streams { get; }

    internal TimerScheduler Scheduler { get; }

    internal InstanceWatchers Watchers { get; }

    /// <summary>Creates the engine's tables on first use; a failed attempt is retried by the next call.</summary>
    internal async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _schemaReady))
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken);
        try
        {
            if (!_schemaReady)
            {
                await Store.EnsureSchemaAsync(cancellationToken);
                Volatile.Write(ref _schemaReady, true);
            }
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    internal async Task<string> StartAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        var instanceId = string.IsNullOrEmpty(request.InstanceId) ? Guid.NewGuid().ToString() : request.InstanceId;
        var now = Clock.GetUtcNow();
        var started = new ExecutionStartedEvent
        {
            Name = request.Name,
            Version = request.Version,
            Input = request.Input,
            WorkflowInstance = new WorkflowInstance
            {
                InstanceId = instanceId,
                ExecutionId = string.IsNullOrEmpty(request.ExecutionId) ? Guid.NewGuid().ToString() : request.ExecutionId,
            },
            ScheduledStartTimestamp = request.ScheduledStartTimestamp,
            ParentTraceContext = request.ParentTraceContext,
            Tags = { request.Tags },
        };
        var visibleAt = request.ScheduledStartTimestamp is { } at && at.ToDateTimeOffset() > now ? at.ToDateTimeOffset() : now;
        var result = await Store.CreateAsync(HistoryEvents.Started(now, started), visibleAt, now, cancellationToken);
        if (result != CreateResult.Created)
        {
            throw new WorkflowException(WorkflowError.AlreadyExists, $"an active workflow with ID '{instanceId}' already exists");
        }

        Changed(instanceId);
        return instanceId;
    }

    /// <summary>Adds a client's event (raise, terminate, suspend, resume) to a live instance's inbox.</summary>
    internal async Task AddEventAsync(string instanceId, HistoryEvent e, CancellationToken cancellationToken)
    {
        var result = await Store.AddEventAsync(instanceId, e, Clock.GetUtcNow(), startNow: e.ExecutionTerminated is not null, cancellationToken);
        if (result == AddEventResult.NotFound)
        {
            throw new WorkflowException(WorkflowError.InstanceNotFound);
        }

        Changed(instanceId);
    }

    /// <summary>
    /// Waits until the instance exists and <paramref name="condition"/> holds (or the call is cancelled), like
    /// daprd's WaitForRuntimeStatus stream, which also waits for an instance that does not exist yet.
    /// </summary>
    internal async Task<InstanceRow> WaitAsync(string instanceId, Func<InstanceRow, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Watchers.Watch(instanceId);
            if (await Store.GetAsync(instanceId, cancellationToken) is { } instance && (condition(instance) || instance.IsCompleted))
            {
                return instance;
            }

            await InstanceWatchers.WaitAsync(changed, Clock, cancellationToken);
        }
    }

    /// <summary>Applies a worker's answer to its orchestration work item.</summary>
    internal async Task CompleteTurnAsync(WorkflowResponse response, CancellationToken cancellationToken)
    {
        var (claim, item) = InFlight.ClaimTurn(response.InstanceId, response.CompletionToken);
        switch (claim)
        {
            case ClaimResult.Unknown:
                throw new WorkflowException(WorkflowError.TurnConflict, $"unknown instance ID: {response.InstanceId}");
            case ClaimResult.Stale:
                // durabletask-go backend/executor.go: a response echoing another dispatch's token is discarded.
                _logger.LogWarning("{Instance}: discarding stale workflow task response (completion token mismatch)", response.InstanceId);
                return;
            default:
                break;
        }

        try
        {
            var now = Clock.GetUtcNow();
            var commit = TurnApplier.Apply(item!.Turn, response, AppId, now);
            var changed = await Store.CommitTurnAsync(commit, now, cancellationToken);
            Changed([.. changed]);
        }
        finally
        {
            // Committed or not, the instance may run again: a failed commit is re-dispatched from the store.
            InFlight.Remove(item!);
            Scheduler.Wake();
        }
    }

    internal async Task CompleteActivityAsync(ActivityResponse response, CancellationToken cancellationToken)
    {
        var (claim, item) = InFlight.ClaimActivity(response.InstanceId, response.TaskId, response.CompletionToken);
        switch (claim)
        {
            case ClaimResult.Unknown:
                throw new WorkflowException(WorkflowError.TurnConflict, $"unknown instance ID/task ID combo: {response.InstanceId}/{response.TaskId}");
            case ClaimResult.Stale:
                _logger.LogWarning("{Instance}#{Task}: discarding stale activity response (completion token mismatch)", response.InstanceId, response.TaskId);
                return;
            default:
                break;
        }

        try
        {
            var activity = item!.Activity;
            var now = Clock.GetUtcNow();
            var result = HistoryEvents.ActivityResult(now, response, activity.Request.TaskExecutionId);
            if (await Store.CompleteActivityAsync(activity.InstanceId, activity.TaskId, activity.ExecutionId, result, now, cancellationToken))
            {
                Changed(activity.InstanceId);
            }
        }
        finally
        {
            InFlight.Remove(item!);
            Scheduler.Wake();
        }
    }

    internal static WorkflowState ToState(InstanceRow instance, bool inputsAndOutputs)
    {
        var state = new WorkflowState
        {
            InstanceId = instance.InstanceId,
            Name = instance.Name,
            WorkflowStatus = instance.Status,
            CreatedTimestamp = Timestamp.FromDateTimeOffset(instance.CreatedAt),
            LastUpdatedTimestamp = Timestamp.FromDateTimeOffset(instance.LastUpdatedAt),
            ParentInstanceId = instance.ParentInstanceId,
        };
        if (inputsAndOutputs)
        {
            state.Input = instance.Input;
            state.Output = instance.Output;
            state.CustomStatus = instance.CustomStatus;
            state.FailureDetails = instance.Failure;
        }

        return state;
    }

    public void Dispose() => _schemaLock.Dispose();

    private void Changed(params string[] instanceIds)
    {
        Watchers.Notify(instanceIds);
        Scheduler.Wake();
    }
}
