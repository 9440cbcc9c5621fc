using DaprHarness.Components;
using DaprHarness.Resiliency;

namespace DaprHarness.Bindings.Kinesis;

/// <summary>
/// The shared-throughput (KCL) consumer of one <c>consumerName</c> on one stream, as components-contrib@release-1.17
/// bindings/aws/kinesis/kinesis.go runs it: every leased shard is read in order in batches; each record's bytes go
/// to the app one by one through daprd's input binding handler; the batch is then checkpointed whatever the app
/// answered (recordProcessor.ProcessRecords ignores the handler's error).
/// </summary>
/// <remarks>
/// Leases: a shard is processed by one harness at a time. The lease is renewed every <see cref="LeaseRenewal"/> and
/// taken over by another harness with the same consumerName <see cref="LeaseDuration"/> after its holder stops
/// renewing (KCL's failover time); a harness that stops cleanly releases its leases at once.
/// Shutdown follows daprd's input binding Stop: the delivery in flight finishes (bounded by
/// <see cref="ShutdownGrace"/>, daprd's default graceful shutdown), the rest of the batch is refused ("input binding
/// is closed") and so checkpointed without delivery; a delivery cut off by the grace period checkpoints nothing.
/// </remarks>
internal sealed class KinesisConsumer(
    KinesisStreamStore store,
    string stream,
    string consumer,
    string path,
    ResiliencyPolicy inbound,
    TimeProvider clock,
    ILogger logger)
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    /// <summary>Idle re-read when no notification arrives (notifications normally wake readers at once).</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    private TaskCompletionSource _wake = NewWake();

    public static string SharedConsumerName(string consumer, string otherStream) =>
        $"'{consumer}' already consumes stream '{otherStream}'; KCL keys its lease table '{consumer}' by shard id only, so two streams cannot share a consumerName";

    public async Task RunAsync(AppChannel app, CancellationToken stoppingToken)
    {
        if (await store.RegisterConsumerAsync(stream, consumer, stoppingToken) is { } other)
        {
            logger.LogError("kinesis {Stream}: consumerName {Message}", stream, SharedConsumerName(consumer, other));
            return;
        }

        using var grace = new CancellationTokenSource();
        using var startGrace = stoppingToken.Register(() => grace.CancelAfter(ShutdownGrace));
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var listener = ListenAsync(listening.Token);
        var workers = new Dictionary<int, (CancellationTokenSource Lost, Task Task)>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var leased = await store.AcquireLeasesAsync(stream, consumer, _owner, LeaseDuration, stoppingToken);
                foreach (var (shard, worker) in workers.ToList())
                {
                    if (worker.Task.IsCompleted || !leased.ContainsKey(shard))
                    {
                        await worker.Lost.CancelAsync();
                        if (worker.Task.IsCompleted)
                        {
                            await worker.Task;
                            worker.Lost.Dispose();
                            workers.Remove(shard);
                        }
                    }
                }

                foreach (var (shard, checkpoint) in leased)
                {
                    if (!workers.ContainsKey(shard))
                    {
                        var lost = new CancellationTokenSource();
                        workers[shard] = (lost, ProcessShardAsync(app, shard, checkpoint, lost.Token, stoppingToken, grace.Token));
                    }
                }

                await Task.Delay(LeaseRenewal, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await listening.CancelAsync();
            try
            {
                // When the lease loop failed, stop the readers too (they finish the batch in hand).
                foreach (var worker in workers.Values)
                {
                    await worker.Lost.CancelAsync();
                }

                await Task.WhenAll(workers.Values.Select(w => w.Task));
            }
            finally
            {
                foreach (var worker in workers.Values)
                {
                    worker.Lost.Dispose();
                }

                await listener;
                using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await store.ReleaseLeasesAsync(stream, consumer, _owner, release.Token);
            }
        }
    }

    private async Task ProcessShardAsync(
        AppChannel app, int shard, long checkpoint, CancellationToken lost, CancellationToken stopping, CancellationToken grace)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(lost, stopping);
        try
        {
            while (!reading.IsCancellationRequested)
            {
                var wake = Volatile.Read(ref _wake).Task;
                var batch = await store.ReadBatchAsync(stream, shard, checkpoint, reading.Token);
                if (batch.Count == 0)
                {
                    await Task.WhenAny(wake, Task.Delay(IdlePoll, clock, reading.Token));
                    continue;
                }

                foreach (var (sequence, data) in batch)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        // daprd's handler refuses events once the binding is stopping; the KCL processor moves on.
                        continue;
                    }

                    var failure = await InputBindingDelivery.SendAsync(app, path, data, NoMetadata, inbound, clock, grace);
                    if (failure is not null)
                    {
                        logger.LogDebug(failure, "kinesis {Stream} shard {Shard} sequence {Sequence}: app failed; checkpointing anyway", stream, shard, sequence);
                    }
                }

                checkpoint = batch[^1].Sequence;
                using var write = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                if (!await store.CheckpointAsync(stream, consumer, shard, _owner, checkpoint, write.Token))
                {
                    logger.LogWarning("kinesis {Stream} shard {Shard}: lease of consumer {Consumer} was taken over", stream, shard, consumer);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (reading.IsCancellationRequested || grace.IsCancellationRequested)
        {
            // Stopped, lease lost, or a delivery cut off by the shutdown grace period: nothing more is checkpointed.
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.ListenAsync(stream, () => Interlocked.Exchange(ref _wake, NewWake()).TrySetResult(), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Readers still poll every IdlePoll without notifications.
            logger.LogWarning(e, "kinesis {Stream}: LISTEN failed; falling back to polling", stream);
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
