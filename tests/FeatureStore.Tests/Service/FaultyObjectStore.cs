using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Tests.Service;

/// <summary>
/// The real object store (the S3 binding through OFS's sidecar) with faults a test switches on for keys containing
/// a marker (the test's own platform_run_id), so records other tests publish meanwhile are not disturbed.
/// </summary>
internal sealed class FaultyObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _failNextWrites = new(StringComparer.Ordinal);
    private readonly HashSet<string> _down = new(StringComparer.Ordinal);
    private readonly HashSet<string> _segmentsDown = new(StringComparer.Ordinal);
    private int _injected;

    /// <summary>How many faults were injected so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <summary>The next <paramref name="count"/> writes of keys containing <paramref name="marker"/> fail.</summary>
    public void FailNextWrites(string marker, int count)
    {
        lock (_gate)
        {
            _failNextWrites[marker] = count;
        }
    }

    /// <summary>Every operation on keys containing <paramref name="marker"/> fails until <see cref="Restore"/>.</summary>
    public void TakeDown(string marker)
    {
        lock (_gate)
        {
            _down.Add(marker);
        }
    }

    /// <summary>Every write of an archive segment whose key contains <paramref name="marker"/> fails until <see cref="Restore"/>; the spool works.</summary>
    public void FailSegmentWrites(string marker)
    {
        lock (_gate)
        {
            _segmentsDown.Add(marker);
        }
    }

    public void Restore(string marker)
    {
        lock (_gate)
        {
            _down.Remove(marker);
            _segmentsDown.Remove(marker);
            _failNextWrites.Remove(marker);
        }
    }

    public async Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        Fault(key, write: true);
        return await inner.CreateIfAbsentAsync(key, content, contentType, cancellationToken);
    }

    public async Task PutIdenticalAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        Fault(key, write: true);
        await inner.PutIdenticalAsync(key, content, contentType, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Fault(key, write: false);
        return await inner.GetAsync(key, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => inner.PresignGetAsync(key, timeToLive, cancellationToken);

    private void Fault(string key, bool write)
    {
        lock (_gate)
        {
            foreach (var marker in _down)
            {
                if (key.Contains(marker, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _injected);
                    throw new IOException($"injected: the object store is down for {marker}");
                }
            }

            if (!write)
            {
                return;
            }

            foreach (var marker in _segmentsDown)
            {
                if (key.Contains(marker, StringComparison.Ordinal) && key.EndsWith(ArchiveKeys.SegmentSuffix, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _injected);
                    throw new IOException($"injected: a segment write under {marker} failed");
                }
            }

            foreach (var (marker, count) in _failNextWrites)
            {
                if (count > 0 && key.Contains(marker, StringComparison.Ordinal))
                {
                    _failNextWrites[marker] = count - 1;
                    Interlocked.Increment(ref _injected);
                    throw new IOException($"injected: a write under {marker} failed");
                }
            }
        }
    }
}
