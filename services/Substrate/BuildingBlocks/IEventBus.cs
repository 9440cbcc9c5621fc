namespace Platform.Substrate.BuildingBlocks;

/// <summary>
/// The event bus: Kinesis streams reached through Dapr's Kinesis output bindings. Nothing outside this
/// abstraction knows the bus is a binding.
/// </summary>
public interface IEventBus
{
    /// <summary>
    /// Publishes one record; records with the same <paramref name="partitionKey"/> keep their order.
    /// Throws <see cref="EventBusPublishException"/> when the outcome is unknown or failed.
    /// </summary>
    Task<EventBusPublishResult> PublishAsync(EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken);
}

/// <summary>What the bus tells us about a published record. Dapr's Kinesis binding (1.17/1.18) answers <c>create</c>
/// with no data, so <see cref="SequenceNumber"/> stays null until a binding version reports one.</summary>
public sealed record EventBusPublishResult(string Stream, string PartitionKey, string? SequenceNumber, DateTimeOffset PublishedAtUtc);

public sealed class EventBusPublishException(string stream, Exception inner)
    : Exception($"Publishing to stream '{stream}' failed or timed out; the outcome is unknown.", inner)
{
    public string Stream { get; } = stream;
}
