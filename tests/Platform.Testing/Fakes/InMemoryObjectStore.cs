using System.Collections.Concurrent;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Testing.Fakes;

/// <summary>
/// A write-once object store in memory with the contract of <see cref="IObjectStore"/>. Tests may read and overwrite
/// <see cref="Objects"/> directly (e.g. to tamper with a stored object); the store itself never presigns.
/// </summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    public ConcurrentDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    public Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        var bytes = content.ToArray();
        if (Objects.TryAdd(key, bytes))
        {
            return Task.FromResult(ObjectWriteOutcome.Created);
        }

        return Objects[key].AsSpan().SequenceEqual(bytes) ? Task.FromResult(ObjectWriteOutcome.AlreadyPresent) : throw new ObjectConflictException(key);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(Objects.TryGetValue(key, out var bytes) ? bytes : null);

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. Objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);

    /// <summary>Idempotent, like the S3 binding's delete: an absent key is no error.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => throw new NotSupportedException("The code under test never presigns.");
}
