using Dapr;
using Dapr.Client;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>
/// Publishes through the stream's Kinesis output binding (<c>eb-&lt;stream&gt;-out</c>, operation <c>create</c>).
/// The binding answers <c>create</c> with no data at all (components-contrib release-1.18
/// bindings/aws/kinesis/kinesis.go drops the PutRecord output), so the result never carries a sequence number.
/// </summary>
public sealed class DaprEventBus : IEventBus
{
    // Kinesis limit for a partition key, in Unicode characters.
    internal const int MaxPartitionKeyLength = 256;

    private const string CreateOperation = "create";
    private const string PartitionKeyMetadata = "partitionKey";

    private readonly IBindingInvoker _bindings;
    private readonly TimeProvider _time;

    public DaprEventBus(DaprClient client, TimeProvider time)
        : this(new DaprBindingInvoker(client), time)
    {
    }

    internal DaprEventBus(IBindingInvoker bindings, TimeProvider time)
    {
        _bindings = bindings;
        _time = time;
    }

    public async Task<EventBusPublishResult> PublishAsync(
        EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        // Without a key the binding picks a random one, which would silently give up per-key ordering.
        ArgumentException.ThrowIfNullOrEmpty(partitionKey);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitionKey.Length, MaxPartitionKeyLength, nameof(partitionKey));

        var request = new BindingRequest(PlatformNames.Components.EventBusOut(stream), CreateOperation) { Data = record };
        request.Metadata[PartitionKeyMetadata] = partitionKey;
        try
        {
            await _bindings.InvokeAsync(request, cancellationToken);
        }
        catch (DaprException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new EventBusPublishException(stream.StreamName, ex);
        }

        return new EventBusPublishResult(stream.StreamName, partitionKey, SequenceNumber: null, _time.GetUtcNow());
    }
}
