using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Platformctl.Delivery;

/// <summary>What one post of a batch left to do: the items to re-post (with why, and the server's Retry-After).</summary>
public sealed record PostOutcome<TItem>(IReadOnlyList<TItem> Retry, string? Reason, TimeSpan? RetryAfter);

/// <summary>Ways to build a <see cref="PostOutcome{TItem}"/>.</summary>
public static class PostOutcome
{
    public static PostOutcome<TItem> Done<TItem>() => new([], null, null);

    public static PostOutcome<TItem> RetryAll<TItem>(IReadOnlyList<TItem> pending, string reason, TimeSpan? retryAfter = null) =>
        new(pending, reason, retryAfter);
}

/// <summary>The HTTP facts every batch sender shares.</summary>
public static class BatchPosting
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>408, 429 and 5xx may succeed later; anything else is final.</summary>
    public static bool IsRetryable(int status) => status is 408 or 429 or >= 500;

    public static string Reason(int status, string? title) => title is null ? $"HTTP {status}" : $"HTTP {status} {title}";

    /// <summary>The title (or type) of an RFC 7807 problem document; null when there is none.</summary>
    public static string? TitleOf(JsonElement? problem) =>
        problem is { ValueKind: JsonValueKind.Object } value
        && (value.TryGetProperty("title", out var text) || value.TryGetProperty("type", out text))
        && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    /// <summary>The base URL with a trailing slash, so a relative path lands below it rather than replacing its last segment.</summary>
    public static Uri Below(Uri baseUrl, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return new Uri(new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/"), relativePath);
    }
}

/// <summary>
/// Posts one batch as a JSON array of its items' exact bytes and retries what may succeed later: a whole request that
/// fails with 408/429/5xx or a connection error, and the items <paramref name="readResults"/> hands back. A retry
/// re-posts the same bytes after an exponential backoff with full jitter, or after the server's Retry-After, so an
/// idempotent endpoint makes every re-post safe. Other refusals of the whole request are counted as refused.
/// </summary>
public sealed class BatchPoster<TItem>(
    HttpClient http,
    Uri batchUri,
    BatchPostOptions options,
    DeliveryCounters counters,
    Func<TItem, byte[]> bytesOf,
    Func<HttpResponseMessage, IReadOnlyList<TItem>, CancellationToken, Task<PostOutcome<TItem>>> readResults)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Posts the batch until every item has an outcome in the counters.</summary>
    public async Task PostAsync(IReadOnlyList<TItem> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        counters.AddSent(batch.Count);
        var pending = batch;
        for (var attempt = 1; ; attempt++)
        {
            PostOutcome<TItem> outcome;
            try
            {
                outcome = await PostOnceAsync(pending, cancellationToken);
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

    private async Task<PostOutcome<TItem>> PostOnceAsync(IReadOnlyList<TItem> pending, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Body(pending));
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, batchUri) { Content = content };
        request.Headers.Add(BatchPosting.ApiKeyHeader, options.ApiKey);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            return PostOutcome.RetryAll(pending, $"connection failed: {exception.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PostOutcome.RetryAll(pending, "request timed out");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await readResults(response, pending, cancellationToken);
            }

            if (BatchPosting.IsRetryable(status))
            {
                return PostOutcome.RetryAll(pending, $"HTTP {status}", RetryAfter(response));
            }

            counters.AddRefused(pending.Count, BatchPosting.Reason(status, await ProblemTitleAsync(response, cancellationToken)));
            return PostOutcome.Done<TItem>();
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

    private static async Task<string?> ProblemTitleAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            return BatchPosting.TitleOf(problem.RootElement);
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
            return null;
        }
    }

    /// <summary>The request body: a JSON array of the items' exact bytes.</summary>
    private byte[] Body(IReadOnlyList<TItem> items)
    {
        var parts = items.Select(bytesOf).ToList();
        var body = new byte[parts.Sum(p => p.Length) + Math.Max(parts.Count - 1, 0) + 2];
        var position = 0;
        body[position++] = (byte)'[';
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                body[position++] = (byte)',';
            }

            parts[i].CopyTo(body, position);
            position += parts[i].Length;
        }

        body[position] = (byte)']';
        return body;
    }
}
