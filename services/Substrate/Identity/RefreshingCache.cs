namespace Platform.Substrate.Identity;

/// <summary>
/// Holds a value loaded from the secret store for at most <see cref="SecretRefreshOptions.MaxAge"/>, so rotated
/// credentials are picked up without a restart. A failed load throws to the caller (fail closed) and is retried on
/// the next call. <see cref="RefreshAfterMissAsync"/> re-reads early when a caller met a credential the cached value
/// does not know (it may just have been rotated in), at most once per <see cref="SecretRefreshOptions.MinRefreshInterval"/>.
/// </summary>
internal sealed class RefreshingCache<T>(Func<CancellationToken, Task<T>> load, SecretRefreshOptions options, TimeProvider time) : IDisposable
    where T : class
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Replaced whole, never mutated, so readers outside the gate never see a half-written entry.
    private volatile Entry? _current;

    // When the last load was attempted (successful or not); read and written under the gate only.
    private DateTimeOffset? _lastAttempt;

    /// <summary>The last value loaded, whatever its age; null before the first successful load.</summary>
    public T? Current => _current?.Value;

    /// <summary>The last value loaded with the time it was loaded, as one consistent pair; null before the first load.</summary>
    public (T Value, DateTimeOffset LoadedAt)? Snapshot => _current is { } current ? (current.Value, current.LoadedAt) : null;

    public Task<T> GetAsync(CancellationToken cancellationToken) =>
        Fresh() is { } value ? Task.FromResult(value) : LoadAsync(force: false, cancellationToken);

    /// <summary>
    /// Re-reads unless the last attempt is younger than the minimum refresh interval (then the cached value is
    /// returned, or loaded if there is none). Concurrent misses share one read.
    /// </summary>
    public Task<T> RefreshAfterMissAsync(CancellationToken cancellationToken) => LoadAsync(force: true, cancellationToken);

    public void Dispose() => _gate.Dispose();

    private async Task<T> LoadAsync(bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var recentlyTried = _lastAttempt is { } last && now - last < options.MinRefreshInterval;
            if (_current is { } current && (force ? recentlyTried : now - current.LoadedAt < options.MaxAge))
            {
                return current.Value;
            }

            _lastAttempt = now;
            var loaded = await load(cancellationToken);
            _current = new Entry(loaded, time.GetUtcNow());
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    private T? Fresh() =>
        _current is { } current && time.GetUtcNow() - current.LoadedAt < options.MaxAge ? current.Value : null;

    private sealed record Entry(T Value, DateTimeOffset LoadedAt);
}
