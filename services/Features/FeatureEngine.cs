namespace Platform.Features;

/// <summary>The values of one transaction's features, in the order of <see cref="FeatureSetDefinition.Features"/>.</summary>
public sealed record FeatureVector(string EventId, IReadOnlyList<double?> Values)
{
    public bool SameValues(FeatureVector other) =>
        other is not null && Values.Count == other.Values.Count && Values.SequenceEqual(other.Values);
}

/// <summary>
/// Computes a feature set incrementally: <see cref="Compute"/> reads the per-entity timelines as they are (the
/// transaction's own and later events excluded by <see cref="PointInTime.Rule"/>), <see cref="Apply"/> adds an event.
/// The decision loop calls <see cref="Observe"/> per transaction as it arrives; OFS replays a run through the very
/// same calls in replay order (<see cref="OfflineReplay"/>), so offline and online values agree by construction.
/// </summary>
public sealed class FeatureEngine
{
    private readonly Dictionary<string, EntityTimeline> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EntityTimeline> _merchants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EntityTimeline> _cards = new(StringComparer.Ordinal);

    // Features sharing an entity and a window share one range lookup per transaction: _slotOf[i] names it.
    private readonly int[] _slotOf;
    private readonly (FeatureEntity Entity, long WindowTicks)[] _slots;

    public FeatureEngine(FeatureSetDefinition definition)
    {
        Definition = definition ?? throw new ArgumentNullException(nameof(definition));
        var slots = new List<(FeatureEntity, long)>();
        _slotOf = [.. definition.Features.Select(f =>
        {
            if (f.Entity == FeatureEntity.Transaction)
            {
                return -1;
            }

            var slot = slots.IndexOf((f.Entity, f.Window.Ticks));
            if (slot < 0)
            {
                slots.Add((f.Entity, f.Window.Ticks));
                slot = slots.Count - 1;
            }

            return slot;
        })];
        _slots = [.. slots];
    }

    public FeatureSetDefinition Definition { get; }

    /// <summary>Features of <paramref name="transaction"/> first, then the transaction joins the state.</summary>
    public FeatureVector Observe(FeatureEvent transaction)
    {
        var vector = Compute(transaction);
        Apply(transaction);
        return vector;
    }

    /// <summary>The features of <paramref name="transaction"/> from the state as it is; the state is not changed.</summary>
    public FeatureVector Compute(FeatureEvent transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var t = transaction.TsUtc.UtcTicks;
        var account = _accounts.GetValueOrDefault(transaction.AccountId);
        var merchant = _merchants.GetValueOrDefault(transaction.MerchantId);
        var card = _cards.GetValueOrDefault(transaction.CardId);
        EntityTimeline? Of(FeatureEntity entity) => entity switch
        {
            FeatureEntity.Account => account,
            FeatureEntity.Merchant => merchant,
            _ => card,
        };

        Span<(int From, int To)> ranges = stackalloc (int, int)[_slots.Length];
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var timeline = Of(_slots[slot].Entity);
            ranges[slot] = timeline is null ? (0, 0) : timeline.Range(t - _slots[slot].WindowTicks, t);
        }

        var values = new double?[Definition.Features.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var feature = Definition.Features[i];
            values[i] = feature.Entity == FeatureEntity.Transaction
                ? Major(transaction.AmountMinor)
                : Evaluate(feature, Of(feature.Entity), ranges[_slotOf[i]], t);
        }

        return new FeatureVector(transaction.EventId, values);
    }

    /// <summary>Adds <paramref name="transaction"/> to its account, merchant and card timelines (idempotent per event).</summary>
    public void Apply(FeatureEvent transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var entry = new TimelineEntry(transaction.TsUtc.UtcTicks, transaction.EventId, transaction.AmountMinor, transaction.DeviceId);
        foreach (var entity in (ReadOnlySpan<FeatureEntity>)[FeatureEntity.Account, FeatureEntity.Merchant, FeatureEntity.Card])
        {
            var timeline = TimelineFor(entity, transaction);
            timeline.Insert(entry);
            timeline.EvictUpTo(timeline.LatestTicks - (Definition.Horizon + Definition.AllowedLateness).Ticks);
        }
    }

    /// <summary>The state of one entity (for a caller that keeps it elsewhere between events).</summary>
    public EntityTimeline? TimelineOf(FeatureEntity entity, string id) => Map(entity).GetValueOrDefault(id);

    private static double? Evaluate(FeatureSpec feature, EntityTimeline? timeline, (int From, int To) range, long t)
    {
        if (timeline is null)
        {
            return feature.Aggregate switch
            {
                FeatureAggregate.Mean or FeatureAggregate.SecondsSinceLast => null,
                _ => 0,
            };
        }

        var (from, to) = range;
        var count = to - from;
        return feature.Aggregate switch
        {
            FeatureAggregate.Count => count,
            FeatureAggregate.Sum => Major(timeline.SumOf(from, to)),
            FeatureAggregate.Mean => count == 0 ? null : Major(timeline.SumOf(from, to)) / count,
            FeatureAggregate.DistinctDevices => timeline.DistinctDevices(from, to),
            FeatureAggregate.SecondsSinceLast => count == 0 ? null : (t - timeline[to - 1].TsTicks) / (double)TimeSpan.TicksPerSecond,
            _ => throw new InvalidOperationException($"{feature.Name}: {feature.Aggregate} is not an entity aggregate."),
        };
    }

    private static double Major(long minor) => minor / 100.0;

    private EntityTimeline TimelineFor(FeatureEntity entity, FeatureEvent transaction)
    {
        var map = Map(entity);
        var id = entity switch
        {
            FeatureEntity.Account => transaction.AccountId,
            FeatureEntity.Merchant => transaction.MerchantId,
            _ => transaction.CardId,
        };
        if (map.TryGetValue(id, out var timeline))
        {
            return timeline;
        }

        timeline = new EntityTimeline();
        map[id] = timeline;
        return timeline;
    }

    private Dictionary<string, EntityTimeline> Map(FeatureEntity entity) => entity switch
    {
        FeatureEntity.Account => _accounts,
        FeatureEntity.Merchant => _merchants,
        FeatureEntity.Card => _cards,
        _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, "Transactions keep no timeline."),
    };
}

/// <summary>The offline path: the same engine fed a run's transactions in replay order.</summary>
public static class OfflineReplay
{
    /// <summary>Each transaction with its features, in replay order (event time, then event_id); duplicates of an event_id at one time count once.</summary>
    public static IReadOnlyList<(FeatureEvent Event, FeatureVector Features)> Run(FeatureSetDefinition definition, IEnumerable<FeatureEvent> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var engine = new FeatureEngine(definition);
        var ordered = transactions.ToList();
        ordered.Sort(FeatureEvent.ReplayOrder);
        var rows = new List<(FeatureEvent, FeatureVector)>(ordered.Count);
        FeatureEvent? previous = null;
        foreach (var transaction in ordered)
        {
            if (previous is not null && FeatureEvent.ReplayOrder.Compare(previous, transaction) == 0)
            {
                continue;
            }

            rows.Add((transaction, engine.Observe(transaction)));
            previous = transaction;
        }

        return rows;
    }
}
