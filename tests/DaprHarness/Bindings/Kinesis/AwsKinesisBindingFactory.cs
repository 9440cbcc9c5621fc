using System.Text.RegularExpressions;
using DaprHarness.Components;

namespace DaprHarness.Bindings.Kinesis;

/// <summary>
/// <c>bindings.aws.kinesis</c> v1 with its streams kept in PostgreSQL instead of Kinesis
/// (components-contrib@release-1.17 bindings/aws/kinesis/{kinesis.go,metadata.yaml}). Fields are those of
/// metadata.yaml plus daprd's <c>direction</c> and <c>route</c>. <c>endpoint</c>, the credentials and
/// <c>region</c> are accepted and not used: no AWS API is called. <c>partitionKey</c> is listed by metadata.yaml
/// but the binding only reads it from request metadata, so the component-level value is ignored here too.
/// </summary>
public sealed partial class AwsKinesisBindingFactory : IComponentFactory
{
    public string Type => "bindings.aws.kinesis";

    public IReadOnlyCollection<string> Versions => ["v1"];

    public IReadOnlyCollection<string> MetadataFields =>
    [
        "streamName", "consumerName", "mode", "partitionKey", "endpoint", "accessKey", "secretKey", "sessionToken",
        "region", BindingDirection.FieldName, InputBindingDelivery.RouteField,
    ];

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,128}$")]
    private static partial Regex StreamNamePattern();

    public async Task<IHarnessComponent> CreateAsync(ComponentMetadata metadata, HarnessContext context, CancellationToken cancellationToken)
    {
        var direction = BindingDirection.From(metadata);
        var stream = metadata.Required("streamName");
        if (!StreamNamePattern().IsMatch(stream))
        {
            throw metadata.Error("streamName", $"'{stream}' is not a valid Kinesis stream name ([a-zA-Z0-9_.-], 1 to 128 characters)");
        }

        var mode = metadata.OneOf("mode", "shared", "shared", "extended");
        var consumerName = metadata.Get("consumerName");
        if (direction.Input && mode == "extended")
        {
            throw metadata.Error("mode", "extended (enhanced fan-out, SubscribeToShard) is not supported by the harness; use shared");
        }

        if (direction is { Explicit: true, Input: true } && consumerName is null)
        {
            throw metadata.Error("consumerName", "is required to read the stream (it names the KCL application, its lease table and worker)");
        }

        var store = new KinesisStreamStore(context.HarnessDatabase);
        await KinesisStreamStore.EnsureSchemaAsync(context.HarnessDatabase, cancellationToken);
        var shards = await store.OpenStreamAsync(stream, cancellationToken);
        var name = metadata.Definition.Name;
        var path = InputBindingDelivery.PathOf(metadata);
        var logger = context.LoggerFactory.CreateLogger<AwsKinesisBinding>();
        KinesisConsumer? consumer = null;
        if (direction.Input && consumerName is not null)
        {
            consumer = new KinesisConsumer(store, stream, consumerName, path, context.Resiliency.ComponentInbound(name), context.Clock, logger);
            if (direction.Explicit && context.Flags.AppPort is not null)
            {
                // An input binding reads from the moment the sidecar is up; registering now makes "records published
                // after the harness started" the ones a new consumer receives.
                if (await store.RegisterConsumerAsync(stream, consumerName, cancellationToken) is { } other)
                {
                    throw metadata.Error("consumerName", KinesisConsumer.SharedConsumerName(consumerName, other));
                }
            }
        }

        return new AwsKinesisBinding(name, direction, store, stream, shards, path, consumer, logger);
    }
}
