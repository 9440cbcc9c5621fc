using DaprHarness.State;

namespace DaprHarness.Components;

/// <summary>
/// A Dapr state store as the runtime API sees it (components-contrib <c>state.Store</c> +
/// <c>TransactionalStore</c>). Keys given here are already prefixed by the runtime (<see cref="KeyPrefix"/>).
/// ETag mismatches surface as <see cref="StateETagMismatchException"/>; any other failure is a plain exception.
/// </summary>
public interface IStateStoreComponent : IHarnessComponent
{
    /// <summary>The runtime's key prefix strategy for this store (component metadata <c>keyPrefix</c>).</summary>
    StateKeyPrefix KeyPrefix { get; }

    /// <summary>The live (unexpired) entry, or null when the key does not exist.</summary>
    Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Found rows first (one per distinct key, in store order), then every requested key not found, with a null entry.</summary>
    Task<IReadOnlyList<(string Key, StateEntry? Entry)>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    Task SetAsync(StateSet request, CancellationToken cancellationToken);

    Task DeleteAsync(StateDelete request, CancellationToken cancellationToken);

    /// <summary>All operations or none.</summary>
    Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken);
}

public sealed record StateEntry(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);

/// <summary>A write or delete. An empty ETag counts as no ETag (components-contrib <c>HasETag</c>).</summary>
public abstract record StateOperation(string Key, string? ETag, IReadOnlyDictionary<string, string> Metadata)
{
    public bool HasETag => !string.IsNullOrEmpty(ETag);
}

/// <summary>An upsert; <paramref name="FirstWrite"/> is StateOptions concurrency first-write.</summary>
public sealed record StateSet(string Key, byte[] Value, string? ETag, IReadOnlyDictionary<string, string> Metadata, bool FirstWrite)
    : StateOperation(Key, ETag, Metadata);

public sealed record StateDelete(string Key, string? ETag, IReadOnlyDictionary<string, string> Metadata)
    : StateOperation(Key, ETag, Metadata);

/// <summary>
/// components-contrib <c>state.ETagError</c> of kind mismatch: the runtime answers gRPC Aborted for it (outside
/// transactions), and SaveState / DeleteBulkState never retry it.
/// </summary>
public sealed class StateETagMismatchException : Exception
{
    private const string Prefix = "possible etag mismatch. error from state store";

    public StateETagMismatchException() : base(Prefix)
    {
    }

    public StateETagMismatchException(string detail) : base($"{Prefix}: {detail}")
    {
    }

    public StateETagMismatchException(string message, Exception inner) : base(message, inner)
    {
    }
}
