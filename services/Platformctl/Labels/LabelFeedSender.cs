using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platformctl.Delivery;

namespace Platformctl.Labels;

/// <summary>How the feed talks to cm's batch endpoint and how hard it retries.</summary>
public sealed record FeedOptions : BatchPostOptions
{
    public required Uri CmUrl { get; init; }

    public int BatchSize { get; init; } = 100;
}

/// <summary>
/// Posts label assertions to cm's <c>POST /v1/labels:batch</c> with a few concurrent workers. A whole request that
/// fails with 408/429/5xx or a connection error, and items answered 408/429/5xx, are re-posted unchanged (the same
/// bytes, so the same label_assertion_id) after an exponential backoff with full jitter, or the server's Retry-After.
/// Other refusals are final. cm's dedupe makes every re-post safe: one that already landed comes back as a REPLAY.
/// </summary>
public sealed class LabelFeedSender
{
    public const string BatchPath = "v1/labels:batch";

    private readonly FeedOptions options;
    private readonly FeedCounters counters;
    private readonly BatchPoster<EncodedLabel> poster;

    public LabelFeedSender(HttpClient http, FeedOptions options, FeedCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.counters = counters;
        poster = new(http, BatchPosting.Below(options.CmUrl, BatchPath), options, counters, label => label.Json, ReadResultsAsync);
    }

    /// <summary>Sends every label; returns when each has an outcome in <see cref="FeedCounters"/>.</summary>
    public Task SendAsync(IReadOnlyList<EncodedLabel> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Parallel.ForEachAsync(
            labels.Chunk(options.BatchSize),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (batch, ct) => await poster.PostAsync(batch, ct));
    }

    private async Task<PostOutcome<EncodedLabel>> ReadResultsAsync(HttpResponseMessage response, IReadOnlyList<EncodedLabel> pending, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(response, cancellationToken);
        // Nothing is counted from an answer that does not match the request item for item: it is re-posted instead.
        if (body is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("results", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != pending.Count)
        {
            return PostOutcome.RetryAll(pending, "invalid batch response");
        }

        var results = array.EnumerateArray().ToList();
        for (var i = 0; i < results.Count; i++)
        {
            if (!results[i].TryGetProperty("index", out var index) || !index.TryGetInt32(out var at) || at != i
                || !(Ack(results[i]) is not null || ItemStatus(results[i]) is not null))
            {
                return PostOutcome.RetryAll(pending, $"invalid batch response: result {i} does not answer label {i}");
            }
        }

        var retry = new List<EncodedLabel>();
        string? retryReason = null;
        for (var i = 0; i < results.Count; i++)
        {
            if (Ack(results[i]) is { } ack)
            {
                Count(ack);
            }
            else if (ItemStatus(results[i]) is { } status && BatchPosting.IsRetryable(status))
            {
                retry.Add(pending[i]);
                retryReason ??= $"item HTTP {status}";
            }
            else
            {
                var problem = results[i].TryGetProperty("problem", out var p) ? p : (JsonElement?)null;
                counters.AddRefused(1, BatchPosting.Reason(ItemStatus(results[i])!.Value, BatchPosting.TitleOf(problem)));
            }
        }

        return new PostOutcome<EncodedLabel>(retry, retryReason, null);
    }

    private void Count(JsonElement ack)
    {
        var status = ack.TryGetProperty("status", out var s) ? s.GetString() : null;
        var reason = ack.TryGetProperty("reason_code", out var r) ? r.GetString() ?? "UNKNOWN" : "UNKNOWN";
        switch (status, reason)
        {
            case ("ACCEPTED", "REPLAY"):
                counters.AddReplayed();
                break;
            case ("ACCEPTED", _):
                counters.AddAccepted();
                break;
            default:
                counters.AddRejected(reason);
                break;
        }
    }

    private static JsonElement? Ack(JsonElement result) =>
        result.TryGetProperty("ack", out var ack) && ack.ValueKind == JsonValueKind.Object
        && ack.TryGetProperty("status", out var status) && status.GetString() is "ACCEPTED" or "REJECTED"
            ? ack
            : null;

    private static int? ItemStatus(JsonElement result) =>
        result.TryGetProperty("status", out var status) && status.TryGetInt32(out var value) ? value : null;

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonElement>(await response.Content.ReadAsStreamAsync(cancellationToken), PlatformJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            // Not JSON: re-posted like any answer that does not match the request.
            return null;
        }
    }
}
