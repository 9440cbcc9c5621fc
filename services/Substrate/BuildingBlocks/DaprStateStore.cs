using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapr.Client;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>A value read from a state store together with the ETag that guards the next write.</summary>
public sealed record StateEntry<T>(string Key, T Value, string ETag);

/// <summary>One operation of a state transaction. Values are serialized with <see cref="PlatformJson.Options"/>.</summary>
public sealed class StateWrite
{
    private StateWrite(string key, byte[]? value, string? etag, TimeSpan? timeToLive, bool firstWrite = false)
    {
        Key = key;
        Value = value;
        ETag = etag;
        TimeToLive = timeToLive;
        FirstWrite = firstWrite;
    }

    public string Key { get; }

    /// <summary>The ETag the row must still carry; null writes unconditionally (or, with <see cref="FirstWrite"/>, only if absent).</summary>
    public string? ETag { get; }

    /// <summary>An insert: the write applies only if the key does not exist yet (first-write concurrency, no ETag).</summary>
    public bool FirstWrite { get; }

    public TimeSpan? TimeToLive { get; }

    public bool IsDelete => Value is null;

    /// <summary>The serialized value; null for a delete.</summary>
    internal byte[]? Value { get; }

    public static StateWrite Upsert<T>(string key, T value, string? etag = null, TimeSpan? timeToLive = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, PlatformJson.Options), etag, timeToLive);

    /// <summary>
    /// A first-write: inside a transaction, a key that exists already fails the whole transaction
    /// (<see cref="DaprStateStore.TryExecuteTransactionAsync"/> returns false and nothing is applied).
    /// </summary>
    public static StateWrite Insert<T>(string key, T value, TimeSpan? timeToLive = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, PlatformJson.Options), etag: null, timeToLive, firstWrite: true);

    public static StateWrite Delete(string key, string? etag = null) => new(key, null, etag, null);
}

/// <summary>
/// One Dapr state store component (PostgreSQL v2 in every environment). Values are stored as JSON bytes written
/// with <see cref="PlatformJson.Options"/>; writes are guarded by ETags or are first-writes, never blind overwrites
/// unless a caller asks for one explicitly.
/// </summary>
public sealed class DaprStateStore(DaprClient client, string componentName)
{
    private const string TtlMetadataKey = "ttlInSeconds";

    public string ComponentName { get; } = componentName;

    /// <summary>The value and its ETag, or null when the key is absent (or expired).</summary>
    public async Task<StateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
    {
        var (bytes, etag) = await client.GetByteStateAndETagAsync(
            ComponentName, key, cancellationToken: cancellationToken);
        return IsAbsent(bytes.Span, etag) ? null : new StateEntry<T>(key, Deserialize<T>(bytes.Span, key), etag);
    }

    /// <summary>The entries that exist among <paramref name="keys"/>; absent keys are left out.</summary>
    public async Task<IReadOnlyList<StateEntry<T>>> GetBulkAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await client.GetBulkStateAsync(ComponentName, keys, parallelism: null, cancellationToken: cancellationToken);
        var entries = new List<StateEntry<T>>(items.Count);
        foreach (var item in items)
        {
            // The SDK hands bulk values over as UTF-8 text; ours are JSON, so nothing is lost.
            var bytes = Encoding.UTF8.GetBytes(item.Value ?? string.Empty);
            if (!IsAbsent(bytes, item.ETag))
            {
                entries.Add(new StateEntry<T>(item.Key, Deserialize<T>(bytes, item.Key), item.ETag));
            }
        }

        return entries;
    }

    /// <summary>
    /// Saves <paramref name="value"/> if nobody changed the key since it was read with <paramref name="expectedETag"/>.
    /// With no expected ETag the save is a first-write: it succeeds only if the key does not exist yet.
    /// Returns false when another writer got there first; other failures throw.
    /// </summary>
    public async Task<bool> TrySaveAsync<T>(string key, T value, string? expectedETag, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, PlatformJson.Options);
        var options = expectedETag is null ? new StateOptions { Concurrency = ConcurrencyMode.FirstWrite } : null;
        try
        {
            // An empty ETag reaches the store as "no ETag", which together with FirstWrite means insert-only.
            return await client.TrySaveByteStateAsync(
                ComponentName, key, bytes, expectedETag ?? string.Empty, options, TtlMetadata(timeToLive), cancellationToken);
        }
        catch (Exception ex) when (DaprErrors.IsStateConflict(ex))
        {
            return false;
        }
    }

    /// <summary>Overwrites the key whatever it holds; for projections that are rebuilt, never for evidence.</summary>
    public Task SaveAsync<T>(string key, T value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        client.SaveByteStateAsync(
            ComponentName, key, JsonSerializer.SerializeToUtf8Bytes(value, PlatformJson.Options),
            metadata: TtlMetadata(timeToLive), cancellationToken: cancellationToken);

    /// <summary>Deletes the key if it still carries <paramref name="etag"/>; false when it changed meanwhile.</summary>
    public async Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken)
    {
        try
        {
            return await client.TryDeleteStateAsync(ComponentName, key, etag, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (DaprErrors.IsStateConflict(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// Applies all writes atomically. Returns false when an ETag or first-write condition failed (nothing was
    /// applied; state.postgresql v2 reports a lost first-write inside a transaction as "no item was updated", which
    /// <see cref="DaprErrors.IsStateConflict"/> recognises); other failures throw.
    /// </summary>
    public async Task<bool> TryExecuteTransactionAsync(IReadOnlyList<StateWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(writes.Count);
        try
        {
            await client.ExecuteStateTransactionAsync(ComponentName, ToTransaction(writes), cancellationToken: cancellationToken);
            return true;
        }
        catch (Exception ex) when (DaprErrors.IsStateConflict(ex))
        {
            return false;
        }
    }

    internal static IReadOnlyList<StateTransactionRequest> ToTransaction(IReadOnlyList<StateWrite> writes) =>
        writes.Select(w => new StateTransactionRequest(
                w.Key,
                w.Value,
                w.IsDelete ? StateOperationType.Delete : StateOperationType.Upsert,
                w.ETag,
                TtlMetadata(w.TimeToLive),
                w.FirstWrite ? new StateOptions { Concurrency = ConcurrencyMode.FirstWrite } : null))
            .ToList();

    internal static Dictionary<string, string>? TtlMetadata(TimeSpan? timeToLive)
    {
        if (timeToLive is not { } ttl)
        {
            return null;
        }

        // The store counts whole seconds; rounding up never expires a record early.
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(timeToLive));
        var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
        return new Dictionary<string, string> { [TtlMetadataKey] = seconds.ToString(CultureInfo.InvariantCulture) };
    }

    // The sidecar answers an absent (or expired) key with an empty value and an empty ETag.
    private static bool IsAbsent(ReadOnlySpan<byte> bytes, string? etag) => bytes.IsEmpty && string.IsNullOrEmpty(etag);

    private static T Deserialize<T>(ReadOnlySpan<byte> bytes, string key) =>
        JsonSerializer.Deserialize<T>(bytes, PlatformJson.Options)
        ?? throw new InvalidDataException($"State key '{key}' holds JSON null.");
}
