using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Platform.Substrate.BuildingBlocks;

namespace Platformctl.Produce.Sending;

/// <summary>
/// Posts batches of envelopes to IG's <c>POST /v1/events:batch</c> with a few concurrent workers. Whole requests that
/// fail with 408/429/5xx or a connection error, and items answered 409/503 (another admission of the same event in
/// flight), are re-sent unchanged (same event_id, same bytes) after an exponential backoff with full jitter, or after
/// the server's Retry-After. Other refusals are final. IG's idempotency makes every re-send safe.
/// </summary>
public sealed class IgBatchSender(HttpClient http, SenderOptions options, ProduceCounters counters)
{
    public const string BatchPath = "v1/events:batch";
    public const string ApiKeyHeader = "X-Api-Key";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Uri batchUri = new(EnsureTrailingSlash(options.IgUrl), BatchPath);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long reservedForRate;

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
        counters.AddSent(batch.Count);
        var pending = batch;
        for (var attempt = 1; ; attempt++)
        {
            BatchOutcome outcome;
            try
            {
                outcome = await PostAsync(pending, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                counters.AddLost(pending.Count, "cancelled");
                throw;
            }

            if (outcome.Retry.Count == 0)
            {
                return;
            }

            if (attempt >= options.MaxAttempts)
            {
                counters.AddLost(outcome.Retry.Count, $"{outcome.Reason} (after {attempt} attempts)");
                return;
            }

            counters.AddRetries(outcome.Retry.Count);
            try
            {
                await Task.Delay(outcome.RetryAfter ?? Backoff(attempt), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                counters.AddLost(outcome.Retry.Count, "cancelled");
                throw;
            }

            pending = outcome.Retry;
        }
    }

    private async Task<BatchOutcome> PostAsync(IReadOnlyList<EncodedEnvelope> pending, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Body(pending));
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, batchUri) { Content = content };
        request.Headers.Add(ApiKeyHeader, options.ApiKey);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            return BatchOutcome.RetryAll(pending, $"connection failed: {exception.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return BatchOutcome.RetryAll(pending, "request timed out");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await ReadResultsAsync(response, pending, cancellationToken);
            }

            if (IsRetryable(status))
            {
                return BatchOutcome.RetryAll(pending, $"HTTP {status}", RetryAfter(response));
            }

            counters.AddRefused(pending.Count, Reason(status, await ProblemTitleAsync(response, cancellationToken)));
            return BatchOutcome.Done;
        }
    }

    private async Task<BatchOutcome> ReadResultsAsync(HttpResponseMessage response, IReadOnlyList<EncodedEnvelope> pending, CancellationToken cancellationToken)
    {
        BatchResponse? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<BatchResponse>(
                await response.Content.ReadAsStreamAsync(cancellationToken), PlatformJson.Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            return BatchOutcome.RetryAll(pending, $"unreadable batch response: {exception.Message}");
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
            return BatchOutcome.RetryAll(pending, $"invalid batch response: {mismatch}");
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
                    if (IsRetryable(status) || status == (int)HttpStatusCode.Conflict)
                    {
                        retry.Add(pending[i]);
                        retryReason ??= $"item HTTP {status}";
                    }
                    else
                    {
                        counters.AddRefused(1, Reason(status, result.ProblemTitle));
                    }

                    break;
            }
        }

        return new BatchOutcome(retry, retryReason, null);
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

    /// <summary>Full jitter: uniform in [0, min(max, base * 2^(attempt-1))], so retrying clients spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter needs spread, not unpredictability.
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
#pragma warning restore CA5394
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } value ? TimeSpan.FromTicks(Math.Clamp(value.Ticks, 0, options.MaxRetryAfter.Ticks)) : null;
    }

    private static bool IsRetryable(int status) => status is 408 or 429 or >= 500;

    private static string Reason(int status, string? title) => title is null ? $"HTTP {status}" : $"HTTP {status} {title}";

    private static async Task<string?> ProblemTitleAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            return BatchItemResult.TitleOf(problem.RootElement);
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
            return null;
        }
    }

    /// <summary>The request body: a JSON array of the envelopes' exact bytes.</summary>
    private static byte[] Body(IReadOnlyList<EncodedEnvelope> envelopes)
    {
        var body = new byte[envelopes.Sum(e => e.Json.Length) + envelopes.Count + 1];
        var position = 0;
        body[position++] = (byte)'[';
        foreach (var envelope in envelopes)
        {
            if (position > 1)
            {
                body[position++] = (byte)',';
            }

            envelope.Json.CopyTo(body, position);
            position += envelope.Json.Length;
        }

        body[position] = (byte)']';
        return body;
    }

    private static Uri EnsureTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private sealed record BatchOutcome(IReadOnlyList<EncodedEnvelope> Retry, string? Reason, TimeSpan? RetryAfter)
    {
        public static BatchOutcome Done { get; } = new([], null, null);

        public static BatchOutcome RetryAll(IReadOnlyList<EncodedEnvelope> pending, string reason, TimeSpan? retryAfter = null) =>
            new(pending, reason, retryAfter);
    }
}
