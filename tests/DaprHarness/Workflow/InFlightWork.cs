namespace DaprHarness.Workflow;

internal enum ClaimResult
{
    Accepted,

    /// <summary>The instance or activity has a newer dispatch: the answer to an older one is discarded.</summary>
    Stale,

    /// <summary>Nothing of that instance (or task) is in flight.</summary>
    Unknown,
}

/// <summary>
/// Work items handed to workers and not answered yet, each with its completion token and the stream that carries it.
/// At most one orchestration work item per instance is in flight. When a stream ends, its unanswered items are
/// released so the dispatcher hands them out again (durabletask-go backend/executor.go GetWorkItems cleanup).
/// Kept in memory: after a harness restart everything still pending in the store is dispatched afresh.
/// </summary>
internal sealed class InFlightWork
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TurnItem> _turns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActivityItem> _activities = new(StringComparer.Ordinal);

    internal sealed record TurnItem(string Token, string StreamId, Turn Turn)
    {
        public bool Claimed { get; set; }
    }

    internal sealed record ActivityItem(string Token, string StreamId, PendingActivity Activity)
    {
        public bool Claimed { get; set; }
    }

    public bool IsTurnInFlight(string instanceId)
    {
        lock (_lock)
        {
            return _turns.ContainsKey(instanceId);
        }
    }

    public bool IsActivityInFlight(PendingActivity activity)
    {
        lock (_lock)
        {
            return _activities.Values.Any(a => Same(a.Activity, activity));
        }
    }

    public void Add(TurnItem item)
    {
        lock (_lock)
        {
            _turns.Add(item.Turn.Instance.InstanceId, item);
        }
    }

    public void Add(ActivityItem item)
    {
        lock (_lock)
        {
            _activities.Add(item.Token, item);
        }
    }

    /// <summary>Claims the turn a worker answers; an empty token (a worker that does not echo tokens) matches any.</summary>
    public (ClaimResult Result, TurnItem? Item) ClaimTurn(string instanceId, string token)
    {
        lock (_lock)
        {
            if (!_turns.TryGetValue(instanceId, out var item))
            {
                return (ClaimResult.Unknown, null);
            }

            if ((token.Length > 0 && token != item.Token) || item.Claimed)
            {
                return (ClaimResult.Stale, null);
            }

            item.Claimed = true;
            return (ClaimResult.Accepted, item);
        }
    }

    public (ClaimResult Result, ActivityItem? Item) ClaimActivity(string instanceId, int taskId, string token)
    {
        lock (_lock)
        {
            var item = token.Length > 0
                ? _activities.GetValueOrDefault(token)
                : _activities.Values.FirstOrDefault(a => a.Activity.InstanceId == instanceId && a.Activity.TaskId == taskId);
            if (item is null || item.Activity.InstanceId != instanceId || item.Activity.TaskId != taskId)
            {
                var newer = _activities.Values.Any(a => a.Activity.InstanceId == instanceId && a.Activity.TaskId == taskId);
                return (newer ? ClaimResult.Stale : ClaimResult.Unknown, null);
            }

            if (item.Claimed)
            {
                return (ClaimResult.Stale, null);
            }

            item.Claimed = true;
            return (ClaimResult.Accepted, item);
        }
    }

    public void Remove(TurnItem item)
    {
        lock (_lock)
        {
            if (_turns.TryGetValue(item.Turn.Instance.InstanceId, out var current) && ReferenceEquals(current, item))
            {
                _turns.Remove(item.Turn.Instance.InstanceId);
            }
        }
    }

    public void Remove(ActivityItem item)
    {
        lock (_lock)
        {
            _activities.Remove(item.Token);
        }
    }

    /// <summary>Releases the unclaimed items a closed stream carried; returns how many.</summary>
    public int ReleaseStream(string streamId)
    {
        lock (_lock)
        {
            var turns = _turns.Where(t => t.Value.StreamId == streamId && !t.Value.Claimed).Select(t => t.Key).ToList();
            var activities = _activities.Where(a => a.Value.StreamId == streamId && !a.Value.Claimed).Select(a => a.Key).ToList();
            turns.ForEach(k => _turns.Remove(k));
            activities.ForEach(k => _activities.Remove(k));
            return turns.Count + activities.Count;
        }
    }

    private static bool Same(PendingActivity a, PendingActivity b) =>
        a.InstanceId == b.InstanceId && a.TaskId == b.TaskId && a.ExecutionId == b.ExecutionId;
}
