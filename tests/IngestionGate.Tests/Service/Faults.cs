using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;

namespace IngestionGate.Tests.Service;

internal enum BusFault
{
    None,

    /// <summary>Stops before the record is sent and never returns: IG dies between PUBLISH_IN_FLIGHT and the publish.</summary>
    HangBeforePublish,

    /// <summary>Sends the record, then never returns: IG dies between the publish and ADMITTED.</summary>
    HangAfterPublish,

    /// <summary>The bus reports a failure (outcome unknown) once.</summary>
    FailOnce,
}

/// <summary>The real event bus (Dapr's Kinesis binding through the sidecar) with a fault a test switches on.</summary>
internal sealed class FaultyEventBus(IEventBus inner) : IEventBus
{
    public BusFault Fault { get; set; }

    /// <summary>Completed when a publish hits the fault.</summary>
    public TaskCompletionSource Hit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<EventBusPublishResult> PublishAsync(EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        switch (Fault)
        {
            case BusFault.HangBeforePublish:
                Hit.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            case BusFault.HangAfterPublish:
                var published = await inner.PublishAsync(stream, partitionKey, record, cancellationToken);
                Hit.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return published;
            case BusFault.FailOnce:
                Fault = BusFault.None;
                Hit.TrySetResult();
                throw new EventBusPublishException(stream.StreamName, new IOException("injected: the bus did not answer"));
            default:
                return await inner.PublishAsync(stream, partitionKey, record, cancellationToken);
        }
    }

    /// <summary>Replaces IG's event bus with a faulty one over the real bus.</summary>
    public static Action<IServiceCollection> Install(BusFault fault) => services =>
    {
        services.AddSingleton(sp => new FaultyEventBus(new DaprEventBus(sp.GetRequiredService<DaprClient>(), TimeProvider.System)) { Fault = fault });
        services.AddSingleton<IEventBus>(sp => sp.GetRequiredService<FaultyEventBus>());
    };
}

/// <summary>The real object store with receipt writes failing while <see cref="FailReceipts"/> is on.</summary>
internal sealed class FaultyObjectStore(IObjectStore inner) : IObjectStore
{
    public bool FailReceipts { get; set; }

    public Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        Fails(key)
            ? throw new IOException("injected: the object store did not answer")
            : inner.CreateIfAbsentAsync(key, content, contentType, cancellationToken);

    public Task PutIdenticalAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        Fails(key)
            ? throw new IOException("injected: the object store did not answer")
            : inner.PutIdenticalAsync(key, content, contentType, cancellationToken);

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) =>
        inner.PresignGetAsync(key, timeToLive, cancellationToken);

    private bool Fails(string key) => FailReceipts && key.Contains("/ig/receipts/", StringComparison.Ordinal);

    public static Action<IServiceCollection> Install() => services =>
    {
        services.AddSingleton(sp => new FaultyObjectStore(new DaprObjectStore(sp.GetRequiredService<DaprClient>())));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<FaultyObjectStore>());
    };
}
