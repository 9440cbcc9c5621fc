using Dapr.Workflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Platform.Testing.Fakes;

/// <summary>
/// A <see cref="WorkflowContext"/> for unit tests of a workflow: activities answer from handlers the test registers by
/// name, every call and custom status is recorded, a handler that throws surfaces as the SDK surfaces a failed
/// activity, and anything else a workflow might use fails loudly.
/// </summary>
public sealed class FakeWorkflowContext(string workflowName, string instanceId, DateTime now) : WorkflowContext
{
    private readonly Dictionary<string, Func<object?, object?>> _activities = new(StringComparer.Ordinal);

    public List<(string Name, object? Input, WorkflowTaskOptions? Options)> Calls { get; } = [];

    public List<object?> Statuses { get; } = [];

    public override string Name => workflowName;

    public override string InstanceId => instanceId;

    public override DateTime CurrentUtcDateTime => now;

    public override bool IsReplaying => false;

    public FakeWorkflowContext On<TInput>(string activity, Func<TInput, object?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _activities[activity] = input => handler((TInput)input!);
        return this;
    }

    public override Task CallActivityAsync(string name, object? input = null, WorkflowTaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    public override Task<T> CallActivityAsync<T>(string name, object? input = null, WorkflowTaskOptions? options = null)
    {
        Calls.Add((name, input, options));
        if (!_activities.TryGetValue(name, out var handler))
        {
            throw new InvalidOperationException($"no handler for activity {name}");
        }

        try
        {
            return Task.FromResult((T)handler(input)!);
        }
        catch (Exception exception)
        {
            // As the SDK surfaces a failed activity: the workflow sees a failed task.
            return Task.FromException<T>(new WorkflowTaskFailedException($"activity {name} failed: {exception.Message}", new WorkflowTaskFailureDetails(exception.GetType().FullName!, exception.Message, null)));
        }
    }

    public override void SetCustomStatus(object? customStatus) => Statuses.Add(customStatus);

    public override bool IsPatched(string patchName) => throw Unexpected();

    public override Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken = default) => throw Unexpected();

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => throw Unexpected();

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, CancellationToken cancellationToken = default) => throw Unexpected();

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout) => throw Unexpected();

    public override void SendEvent(string instanceId, string eventName, object payload) => throw Unexpected();

    public override Task<TResult> CallChildWorkflowAsync<TResult>(string workflowName, object? input = null, ChildWorkflowTaskOptions? options = null) => throw Unexpected();

    public override Task CallChildWorkflowAsync(string workflowName, object? input = null, ChildWorkflowTaskOptions? options = null) => throw Unexpected();

    public override ILogger CreateReplaySafeLogger(string categoryName) => NullLogger.Instance;

    public override ILogger CreateReplaySafeLogger(Type type) => NullLogger.Instance;

    public override ILogger<T> CreateReplaySafeLogger<T>() => NullLogger<T>.Instance;

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => throw Unexpected();

    public override Guid NewGuid() => throw Unexpected();

    public override PropagatedHistory? GetPropagatedHistory() => null;

    private NotSupportedException Unexpected() => new($"{workflowName} has no use for this.");
}
