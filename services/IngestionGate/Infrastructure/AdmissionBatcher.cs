using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.Errors;

namespace IngestionGate.Infrastructure;

/// <summary>
/// Groups concurrent requests into micro-batches so the state and object-store round trips are shared: each of
/// <see cref="IngestionGateOptions.MicroBatchWorkers"/> workers takes what is queued (lingering
/// <see cref="IngestionGateOptions.MicroBatchLinger"/> for more) up to <see cref="IngestionGateOptions.MicroBatchMaxItems"/>
/// envelopes and runs them through <see cref="AdmissionPipeline"/>. The envelopes of one request are never split
/// across micro-batches, so a batch request's records of one partition key are published in its order.
/// </summary>
public sealed class AdmissionBatcher(AdmissionPipeline pipeline, IOptions<IngestionGateOptions> options, ILogger<AdmissionBatcher> logger)
    : BackgroundService
{
    private readonly Channel<IReadOnlyList<AdmissionWork>> _queue = Channel.CreateUnbounded<IReadOnlyList<AdmissionWork>>();

    /// <summary>Queues one request's envelopes and waits for all their results (in order).</summary>
    public async Task<IReadOnlyList<AdmissionResult>> SubmitAsync(IReadOnlyList<AdmissionWork> request, CancellationToken cancellationToken)
    {
        if (request.Count == 0)
        {
            return [];
        }

        if (!_queue.Writer.TryWrite(request))
        {
            return [.. request.Select(_ => ShuttingDown)];
        }

        // A caller that goes away stops waiting; its envelopes are still decided (they may be in flight already).
        return await Task.WhenAll(request.Select(work => work.Completion)).WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        while (_queue.Reader.TryRead(out var left))
        {
            Fail(left, ShuttingDown);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.MicroBatchWorkers).Select(_ => Task.Run(() => RunWorkerAsync(stoppingToken), stoppingToken)));

    private static AdmissionResult ShuttingDown { get; } =
        AdmissionResult.Failed(PlatformProblems.Unavailable, "IG is shutting down; nothing was decided for this event. Retry with the same event_id.");

    private async Task RunWorkerAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var settings = options.Value;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<AdmissionWork>();
                Take(reader, batch, settings.MicroBatchMaxItems);
                if (batch.Count > 0 && batch.Count < settings.MicroBatchMaxItems && settings.MicroBatchLinger > TimeSpan.Zero)
                {
                    await Task.Delay(settings.MicroBatchLinger, stoppingToken);
                    Take(reader, batch, settings.MicroBatchMaxItems);
                }

                if (batch.Count > 0)
                {
                    await ProcessAsync(batch, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what a worker held is answered by ProcessAsync, what is queued by StopAsync.
        }
    }

    private async Task ProcessAsync(List<AdmissionWork> batch, CancellationToken stoppingToken)
    {
        try
        {
            await pipeline.ProcessAsync(batch, Requeue, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Like a crash at this point: rows in flight stay in flight for an operator; the callers get a retryable 503.
            Fail(batch, ShuttingDown);
            throw;
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Admission of a micro-batch of {Count} envelopes failed unexpectedly", batch.Count);
            Fail(batch, AdmissionResult.Failed(PlatformProblems.InternalError));
        }

        // Every envelope is answered or handed back for a retry; nothing may wait forever.
        foreach (var work in batch.Where(w => !w.IsCompleted && w.WaitUntil is null))
        {
            logger.LogError("An envelope left the pipeline undecided; answering 500");
            work.Complete(AdmissionResult.Failed(PlatformProblems.InternalError));
        }
    }

    private void Requeue(AdmissionWork work)
    {
        if (!_queue.Writer.TryWrite([work]))
        {
            work.Complete(ShuttingDown);
        }
    }

    private static void Take(ChannelReader<IReadOnlyList<AdmissionWork>> reader, List<AdmissionWork> batch, int maxItems)
    {
        while (batch.Count < maxItems && reader.TryRead(out var request))
        {
            batch.AddRange(request);
        }
    }

    private static void Fail(IEnumerable<AdmissionWork> works, AdmissionResult result)
    {
        foreach (var work in works)
        {
            work.Complete(result);
        }
    }
}
