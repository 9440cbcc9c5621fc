using System.Collections.Concurrent;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing.Fakes;

namespace FeatureStore.Tests.Archive;

/// <summary>
/// <see cref="InMemoryObjectStore"/> that also records the keys written and lets a test fail writes or act before a
/// listing.
/// </summary>
internal sealed class ArchiveStore : IObjectStore
{
    private readonly InMemoryObjectStore _inner = new();
    private readonly ConcurrentDictionary<string, int> _listings = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _created = new();
    private readonly Lock _gate = new();
    private int _failCreates;

    public ConcurrentDictionary<string, byte[]> Objects => _inner.Objects;

    /// <summary>Keys handed to <see cref="CreateIfAbsentAsync"/> that were written or found identical, in call order.</summary>
    public IReadOnlyCollection<string> Created => _created;

    /// <summary>Runs before a listing of a prefix, with how many listings of that prefix this one is (1, 2, …).</summary>
    public Func<string, int, Task>? BeforeList { get; set; }

    /// <summary>The next <paramref name="count"/> calls of <see cref="CreateIfAbsentAsync"/> throw.</summary>
    public void FailNextCreates(int count)
    {
        lock (_gate)
        {
            _failCreates = count;
        }
    }

    public async Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_failCreates > 0)
            {
                _failCreates--;
                throw new IOException($"injected: writing {key} failed");
            }
        }

        var outcome = await _inner.CreateIfAbsentAsync(key, content, contentType, cancellationToken);
        _created.Enqueue(key);
        return outcome;
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => _inner.GetAsync(key, cancellationToken);

    public async Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken)
    {
        var listing = _listings.AddOrUpdate(prefix, 1, (_, n) => n + 1);
        if (BeforeList is { } hook)
        {
            await hook(prefix, listing);
        }

        return await _inner.ListKeysAsync(prefix, cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => _inner.DeleteAsync(key, cancellationToken);

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => _inner.PresignGetAsync(key, timeToLive, cancellationToken);
}
