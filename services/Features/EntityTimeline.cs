namespace Platform.Features;

/// <summary>One earlier transaction as an entity's timeline keeps it.</summary>
public readonly record struct TimelineEntry(long TsTicks, string EventId, long AmountMinor, string DeviceId);

/// <summary>
/// The online state of one entity (account, merchant or card): its transactions inside the horizon, sorted in replay
/// order, with running amount sums so a window's count and sum cost two binary searches. Updated event by event;
/// <see cref="Entries"/> and <see cref="FromEntries"/> let a caller keep it in a state store between events.
/// </summary>
/// <remarks>
/// Appends in time order cost O(1); an out-of-order insert rewrites the running sums after it. Eviction only moves
/// <c>_start</c>; the dead prefix is dropped once it outweighs the live part, so eviction is amortised O(1) too.
/// </remarks>
public sealed class EntityTimeline
{
    private const int CompactAfter = 256;

    private readonly List<TimelineEntry> _entries = [];

    // _cumulative[i] = sum of AmountMinor over _entries[0..i] (including evicted entries still in the list).
    private readonly List<long> _cumulative = [];

    // Entries before _start are evicted.
    private int _start;

    /// <summary>The live entries, in replay order.</summary>
    public IReadOnlyList<TimelineEntry> Entries => _entries.GetRange(_start, _entries.Count - _start);

    public long LatestTicks => _entries.Count == _start ? long.MinValue : _entries[^1].TsTicks;

    public TimelineEntry this[int index] => _entries[index];

    public static EntityTimeline FromEntries(IEnumerable<TimelineEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var timeline = new EntityTimeline();
        foreach (var entry in entries)
        {
            timeline.Insert(entry);
        }

        return timeline;
    }

    /// <summary>Adds an entry in replay order; the same (ts, event_id) twice is kept once. False when it was already there.</summary>
    public bool Insert(TimelineEntry entry)
    {
        var index = LowerBound(entry.TsTicks, entry.EventId);
        if (index < _entries.Count && _entries[index].TsTicks == entry.TsTicks && string.Equals(_entries[index].EventId, entry.EventId, StringComparison.Ordinal))
        {
            return false;
        }

        _entries.Insert(index, entry);
        _cumulative.Insert(index, 0);
        for (var i = index; i < _entries.Count; i++)
        {
            _cumulative[i] = (i == 0 ? 0 : _cumulative[i - 1]) + _entries[i].AmountMinor;
        }

        return true;
    }

    /// <summary>Evicts entries at or before <paramref name="horizonTicks"/>: no window of a transaction inside the lateness bound reaches them.</summary>
    public void EvictUpTo(long horizonTicks)
    {
        while (_start < _entries.Count && _entries[_start].TsTicks <= horizonTicks)
        {
            _start++;
        }

        if (_start < CompactAfter || _start * 2 < _entries.Count)
        {
            return;
        }

        var dropped = _cumulative[_start - 1];
        _entries.RemoveRange(0, _start);
        _cumulative.RemoveRange(0, _start);
        for (var i = 0; i < _cumulative.Count; i++)
        {
            _cumulative[i] -= dropped;
        }

        _start = 0;
    }

    /// <summary>The index range [from, to) of live entries with fromTicks &lt; ts &lt; toTicks.</summary>
    public (int From, int To) Range(long fromTicksExclusive, long toTicksExclusive)
    {
        var from = FirstWithTicksAbove(fromTicksExclusive);
        var to = FirstWithTicksAbove(toTicksExclusive - 1);
        return (from, Math.Max(from, to));
    }

    public long SumOf(int from, int to) =>
        to <= from ? 0 : _cumulative[to - 1] - (from == 0 ? 0 : _cumulative[from - 1]);

    public int DistinctDevices(int from, int to)
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        for (var i = from; i < to; i++)
        {
            devices.Add(_entries[i].DeviceId);
        }

        return devices.Count;
    }

    // The first live index in replay order at or after (ticks, eventId).
    private int LowerBound(long ticks, string eventId)
    {
        int lo = FirstWithTicksAbove(ticks - 1), hi = FirstWithTicksAbove(ticks);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_entries[mid].EventId, eventId) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // The first live index whose timestamp is greater than ticks.
    private int FirstWithTicksAbove(long ticks)
    {
        int lo = _start, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].TsTicks <= ticks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
