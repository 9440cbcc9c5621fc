using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Platform.Substrate.BuildingBlocks;
using Platformctl.Delivery;

namespace Platformctl.Produce.Sending;

/// <summary>
/// Posts batches of envelopes to IG's <c>POST /v1/events:batch</c> with a few concurrent workers. Whole requests that
/// fail with 408/429/5xx or a connection error, and items answered 409/503 (another admission of the same event in
/// flight), are re-sent unchanged (same event_id, same bytes) after an exponential backoff with full jitter, or after
/// the server's Retry-After. Other refusals are final. IG's idempotency makes every re-send safe.
/// </summary>
public sealed class IgBatchSender
{
    public const string BatchPath = "v1/events:batch";

    private readonly SenderOptions options;
    private readonly ProduceCounters counters;
    private readonly BatchPoster<EncodedEnvelope> poster;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long reservedForRate;

    public IgBatchSender(HttpClient http, SenderOptions options, ProduceCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.counters = counters;
        poster = new(http, BatchPosting.Below(options.IgUrl, BatchPath), options, counters, envelope => envelope.Json, ReadResultsAsync);
    }

    /// <summary>Sends every batch; returns when each envelope has an outcome in <see cref="ProduceCounters"/>.</summary>
    public async Task SendAsync(IEnumerable<IReadOnlyList<EncodedEnvelope>> batches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var queue = Channel.CreateBounded<IReadOnlyList<EncodedEnvelope>>(new BoundedChannelOptions(options.Concurrency * 2)
        {
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Generation is CPU work: it runs on its own task, a few batches ahead of the workers.
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    foreach (var batch in batches)
                    {
                        await queue.Writer.WriteAsync(batch, stop.Token);
                    }

                    queue.Writer.Complete();
                }
                catch (Exception exception)
                {
                    queue.Writer.Complete(exception);
                    throw;
                }
            },
            stop.Token);
        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var batch in queue.Reader.ReadAllAsync(stop.Token))
                    {
                        await SendBatchAsync(batch, stop.Token);
                    }
                }
                catch
                {
                    // One failed worker stops the run rather than leaving the others to drain a queue nobody fills.
                    await stop.CancelAsync();
                    throw;
                }
            },
            stop.Token));
        await Task.WhenAll(workers.Append(producer));
    }

    private async Task SendBatchAsync(IReadOnlyList<EncodedEnvelope> batch, CancellationToken cancellationToken)
    {
        await WaitForRateAsync(batch.Count, cancellationToken);
        await poster.PostAsync(batch, cancellationToken);
    }

    private async Task<PostOutcome<EncodedEnvelope>> ReadResultsAsync(HttpResponseMessage response, IReadOnlyList<EncodedEnvelope> pending, CancellationToken cancellationToken)
    {
        BatchResponse? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<BatchResponse>(
                await response.Content.ReadAsStreamAsync(cancellationToken), PlatformJson.Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            return PostOutcome.RetryAll(pending, $"unreadable batch response: {exception.Message}");
        }

        // Nothing is counted from an answer that does not match the request item for item: it is re-sent instead.
        var results = body?.Results;
        var mismatch = results is null || results.Count != pending.Count
            ? $"expected {pending.Count} results, got {results?.Count ?? 0}"
            : Enumerable.Range(0, results.Count)
                .Where(i => results[i].Index != i
                    || (results[i].EventId is { } id && id != pending[i].EventId)
                    || (!results[i].HasDecision && results[i].Status is null))
                .Select(i => $"result {i} does not answer envelope {i}")
                .FirstOrDefault();
        if (mismatch is not null)
        {
            return PostOutcome.RetryAll(pending, $"invalid batch response: {mismatch}");
        }

        var retry = new List<EncodedEnvelope>();
        string? retryReason = null;
        for (var i = 0; i < pending.Count; i++)
        {
            var result = results![i];
            switch (result.Decision)
            {
                case BatchItemResult.Admit:
                    counters.AddAdmitted(result.ReceiptId);
                    break;
                case BatchItemResult.Duplicate:
                    counters.AddDuplicate();
                    break;
                case BatchItemResult.Quarantine:
                    counters.AddQuarantined(result.ReasonCodes ?? []);
                    break;
                default:
                    var status = result.Status!.Value;
                    if (BatchPosting.IsRetryable(status) || status == (int)HttpStatusCode.Conflict)
                    {
                        retry.Add(pending[i]);
                        retryReason ??= $"item HTTP {status}";
                    }
                    else
                    {
                        counters.AddRefused(1, BatchPosting.Reason(status, result.ProblemTitle));
                    }

                    break;
            }
        }

        return new PostOutcome<EncodedEnvelope>(retry, retryReason, null);
    }

    /// <summary>Paces first attempts so that the run as a whole stays under <see cref="SenderOptions.RatePerSecond"/>.</summary>
    private async Task WaitForRateAsync(int count, CancellationToken cancellationToken)
    {
        if (options.RatePerSecond is not { } rate)
        {
            return;
        }

        var before = Interlocked.Add(ref reservedForRate, count) - count;
        var wait = TimeSpan.FromSeconds(before / rate) - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
