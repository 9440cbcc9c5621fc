using DaprHarness.Components;

namespace DaprHarness.Bindings.Kinesis;

/// <summary>The output side (<c>create</c> = PutRecord) and the input side (a <see cref="KinesisConsumer"/>).</summary>
internal sealed class AwsKinesisBinding(
    string name,
    BindingDirection direction,
    KinesisStreamStore store,
    string stream,
    int shards,
    string path,
    KinesisConsumer? consumer,
    ILogger logger) : IOutputBindingComponent, IInputBindingComponent, IDirectionalBinding
{
    /// <summary>Kinesis' PutRecord limits for a stream with the default maximum record size.</summary>
    private const int MaxDataBytes = 1024 * 1024;

    private const int MaxPartitionKeyLength = 256;

    public string Name { get; } = name;

    public BindingDirection Direction { get; } = direction;

    public IReadOnlyCollection<string> Operations { get; } = ["create"];

    public bool ReadsInput => Direction.Input;

    /// <summary>
    /// PutRecord with the request metadata <c>partitionKey</c>, or a random UUID when it is absent (so such records
    /// have no order between them). The binding returns no response at all: empty data, no metadata.
    /// </summary>
    public async Task<BindingResult> InvokeAsync(string operation, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var partitionKey = metadata.GetValueOrDefault("partitionKey") is { Length: > 0 } key ? key : Guid.NewGuid().ToString();
        if (partitionKey.Length > MaxPartitionKeyLength)
        {
            throw Validation($"Value '{partitionKey}' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to {MaxPartitionKeyLength}");
        }

        if (data.Length > MaxDataBytes)
        {
            throw Validation($"Value at 'data' failed to satisfy constraint: Member must have length less than or equal to {MaxDataBytes}");
        }

        await store.PutRecordAsync(stream, ShardMap.ShardFor(partitionKey, shards), partitionKey, data, cancellationToken);
        return BindingResult.Empty;
    }

    /// <summary>
    /// Reads the stream until the harness stops. Without an explicit input direction daprd first probes the app with
    /// OPTIONS on the route and reads only if it answers 2xx or 405.
    /// </summary>
    public async Task RunAsync(AppChannel app, CancellationToken stoppingToken)
    {
        if (!Direction.Explicit)
        {
            bool subscribed;
            try
            {
                subscribed = await InputBindingDelivery.IsAppSubscribedAsync(app, path, stoppingToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("failed to read from bindings: could not invoke OPTIONS method on input binding subscription endpoint of {Binding}: {Error}", Name, e.Message);
                return;
            }

            if (!subscribed)
            {
                logger.LogInformation("app has not subscribed to binding {Binding}.", Name);
                return;
            }
        }

        if (consumer is null)
        {
            logger.LogError("binding {Binding} cannot read {Stream}: consumerName is not set", Name, stream);
            return;
        }

        await consumer.RunAsync(app, stoppingToken);
    }

    private static BindingException Validation(string detail) =>
        new($"operation error Kinesis: PutRecord, https response error StatusCode: 400, RequestID: {Guid.NewGuid()}, api error ValidationException: 1 validation error detected: {detail}");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
