using System.Collections.Concurrent;
using Platform.Substrate.BuildingBlocks;

namespace ModelFactory.Tests.Workflows;

/// <summary>An event bus that records what was published.</summary>
internal sealed class RecordingEventBus : IEventBus
{
    public ConcurrentQueue<(EventStream Stream, string PartitionKey, byte[] Record)> Published { get; } = new();

    public Task<EventBusPublishResult> PublishAsync(EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Published.Enqueue((stream, partitionKey, record.ToArray()));
        return Task.FromResult(new EventBusPublishResult(stream.StreamName, partitionKey, Published.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch));
    }
}
