namespace DaprHarness.Workflow;

/// <summary>Lets WaitForInstanceStart/Completion and suspend/resume/terminate calls wake up when an instance changes.</summary>
internal sealed class InstanceWatchers
{
    /// <summary>Re-read anyway after this long: another harness sharing the database may have changed the instance.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>A task completed by the next change of <paramref name="instanceId"/>; take it before reading the state.</summary>
    public Task Watch(string instanceId)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(instanceId, out var changed))
            {
                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting[instanceId] = changed;
            }

            return changed.Task;
        }
    }

    public void Notify(IEnumerable<string> instanceIds)
    {
        foreach (var id in instanceIds)
        {
            TaskCompletionSource? changed;
            lock (_lock)
            {
                if (_waiting.Remove(id, out changed))
                {
                    changed.TrySetResult();
                }
            }
        }
    }

    public static async Task WaitAsync(Task changed, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            await changed.WaitAsync(Recheck, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // re-read
        }
    }
}
