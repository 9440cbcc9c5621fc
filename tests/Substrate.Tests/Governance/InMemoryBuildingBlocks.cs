using System.Collections.Concurrent;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Tests.Governance;

/// <summary>An object store that keeps the write-once contract of <see cref="IObjectStore"/> in memory.</summary>
internal sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, byte[]> objects = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, byte[]> Objects => objects;

    public Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        var bytes = content.ToArray();
        if (objects.TryAdd(key, bytes))
        {
            return Task.FromResult(ObjectWriteOutcome.Created);
        }

        return objects[key].AsSpan().SequenceEqual(bytes)
            ? Task.FromResult(ObjectWriteOutcome.AlreadyPresent)
            : throw new ObjectConflictException(key);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(objects.TryGetValue(key, out var bytes) ? bytes : null);

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. objects.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not needed by these tests.");
}

/// <summary>An event bus that records what was published and can be told to fail the next publishes.</summary>
internal sealed class RecordingEventBus : IEventBus
{
    private readonly ConcurrentQueue<(EventStream Stream, string PartitionKey, byte[] Record)> published = new();

    public IReadOnlyList<(EventStream Stream, string PartitionKey, byte[] Record)> Published => [.. published];

    public int FailuresToInject { get; set; }

    public Task<EventBusPublishResult> PublishAsync(EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        if (FailuresToInject > 0)
        {
            FailuresToInject--;
            throw new EventBusPublishException(stream.StreamName, new TimeoutException("injected"));
        }

        published.Enqueue((stream, partitionKey, record.ToArray()));
        return Task.FromResult(new EventBusPublishResult(stream.StreamName, partitionKey, published.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch));
    }
}
