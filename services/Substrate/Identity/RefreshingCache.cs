namespace Platform.Substrate.Identity;

/// <summary>
/// Holds a value loaded from the secret store for a bounded time, so rotated credentials are picked up without a
/// restart. A failed load throws to the caller (fail closed) and is retried on the next call.
/// </summary>
internal sealed class RefreshingCache<T>(Func<CancellationToken, Task<T>> load, TimeSpan lifetime, TimeProvider time) : IDisposable
    where T : class
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Replaced whole, never mutated, so readers outside the gate never see a half-written entry.
    private volatile Entry? _current;

    /// <summary>The last value loaded, whatever its age; null before the first successful load.</summary>
    public T? Current => _current?.Value;

    public async Task<T> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } value)
        {
            return value;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } loadedMeanwhile)
            {
                return loadedMeanwhile;
            }

            var loaded = await load(cancellationToken);
            _current = new Entry(loaded, time.GetUtcNow());
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private T? Fresh() =>
        _current is { } current && time.GetUtcNow() - current.LoadedAt < lifetime ? current.Value : null;

    private sealed record Entry(T Value, DateTimeOffset LoadedAt);
}
