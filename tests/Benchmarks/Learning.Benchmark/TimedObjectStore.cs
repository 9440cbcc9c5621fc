using System.Diagnostics;
using Platform.Substrate.BuildingBlocks;

namespace Learning.Benchmark;

/// <summary>
/// Passes every call through to the store and notes two instants the benchmark splits the dataset activity at: when
/// the last archive record read finished, and when the first dataset part write started.
/// </summary>
internal sealed class TimedObjectStore(IObjectStore inner) : IObjectStore
{
    private long _lastArchiveRead;
    private long _datasetWriteStarted;

    public long LastArchiveReadTimestamp => Interlocked.Read(ref _lastArchiveRead);

    public long DatasetWriteStartedTimestamp => Interlocked.Read(ref _datasetWriteStarted);

    public Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Contains("/ofs/datasets/", StringComparison.Ordinal))
        {
            Interlocked.CompareExchange(ref _datasetWriteStarted, Stopwatch.GetTimestamp(), 0);
        }

        return inner.CreateIfAbsentAsync(key, content, contentType, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = await inner.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (key.Contains("/archive/", StringComparison.Ordinal))
        {
            var now = Stopwatch.GetTimestamp();
            long seen;
            while ((seen = Interlocked.Read(ref _lastArchiveRead)) < now && Interlocked.CompareExchange(ref _lastArchiveRead, now, seen) != seen)
            {
            }
        }

        return bytes;
    }

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => inner.PresignGetAsync(key, timeToLive, cancellationToken);
}
