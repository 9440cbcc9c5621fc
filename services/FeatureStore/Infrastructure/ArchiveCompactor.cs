using FeatureStore.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Infrastructure;

/// <summary>
/// The archive writer's compactor: keeps in memory the records this process spooled and, every
/// <see cref="FeatureStoreOptions.ArchiveCompactionInterval"/>, writes them as segments and deletes their spool objects
/// (<see cref="ArchiveCompaction"/>), so builds read a few hundred segments instead of one object per record. Memory
/// is only a shortcut: what it cannot hold (a failed flush beyond <see cref="MaxPendingRecords"/>, a crash) stays
/// durable in the spool, where the next build of that range compacts it.
/// </summary>
public sealed class ArchiveCompactor(IObjectStore objects, IOptions<FeatureStoreOptions> options, ILogger<ArchiveCompactor> logger) : BackgroundService
{
    /// <summary>Records held for compaction at most; a burst beyond this waits in the spool instead.</summary>
    public const int MaxPendingRecords = 50_000;

    /// <summary>Spool keys remembered after compaction, so a late redelivery is still answered "already archived".</summary>
    public const int RecentCapacity = 50_000;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Dictionary<(string Run, EventStream Stream), List<Pending>> _pending = [];
    private int _pendingCount;
    private readonly Dictionary<string, string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    /// <summary>Records waiting in memory for their segment.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pendingCount;
            }
        }
    }

    /// <summary>
    /// Takes a record that is durable in the spool. <paramref name="envelopeDigest"/> identifies its envelope for
    /// <see cref="TryGetCompacted"/>. False when memory is full (the record stays in the spool only).
    /// </summary>
    public bool Enqueue(string platformRunId, EventStream stream, NamedRecord record, string envelopeDigest)
    {
        lock (_gate)
        {
            if (_pendingCount >= MaxPendingRecords)
            {
                return false;
            }

            var key = (platformRunId, stream);
            if (!_pending.TryGetValue(key, out var list))
            {
                _pending[key] = list = [];
            }

            list.Add(new Pending(record, envelopeDigest));
            _pendingCount++;
            return true;
        }
    }

    /// <summary>The envelope digest of a record this process lately took from <paramref name="spoolKey"/> to compact (it is in the spool, a segment or both).</summary>
    public bool TryGetCompacted(string spoolKey, out string envelopeDigest)
    {
        lock (_gate)
        {
            return _recent.TryGetValue(spoolKey, out envelopeDigest!);
        }
    }

    /// <summary>Compacts everything pending now; what fails goes back to wait for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            Dictionary<(string Run, EventStream Stream), List<Pending>> taken;
            lock (_gate)
            {
                taken = _pending;
                _pending = [];
                _pendingCount = 0;
            }

            foreach (var ((run, stream), records) in taken)
            {
                // Remembered before the spool objects are deleted (the writer reads the spool first, then asks
                // TryGetCompacted). Safe if compaction fails: the records stay durable in the spool.
                Remember(run, stream, records);
                try
                {
                    await ArchiveCompaction.CompactAsync(objects, run, stream, [.. records.Select(r => r.Record)], cancellationToken);
                }
                catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                {
                    var kept = Requeue(run, stream, records);
                    logger.LogWarning(exception, "Compacting {Count} archive records of {Run}/{Stream} failed; {Kept} wait for the next flush, the rest in the spool",
                        records.Count, run, stream.ShortName, kept);
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ArchiveCompactionInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes once more.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    private void Remember(string run, EventStream stream, List<Pending> records)
    {
        lock (_gate)
        {
            foreach (var record in records)
            {
                var spoolKey = ArchiveKeys.Spool(run, stream, record.Record.Name);
                if (_recent.TryAdd(spoolKey, record.EnvelopeDigest))
                {
                    _recentOrder.Enqueue(spoolKey);
                }
            }

            while (_recentOrder.Count > RecentCapacity)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }
        }
    }

    private int Requeue(string run, EventStream stream, List<Pending> records)
    {
        lock (_gate)
        {
            var room = Math.Max(0, MaxPendingRecords - _pendingCount);
            var kept = records.Take(room).ToList();
            if (!_pending.TryGetValue((run, stream), out var list))
            {
                _pending[(run, stream)] = list = [];
            }

            list.AddRange(kept);
            _pendingCount += kept.Count;
            return kept.Count;
        }
    }

    private sealed record Pending(NamedRecord Record, string EnvelopeDigest);
}
