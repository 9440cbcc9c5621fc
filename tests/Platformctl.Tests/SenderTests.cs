using System.Text;
using Platformctl.Produce.Sending;

namespace Platformctl.Tests;

/// <summary>The sender against a real HTTP server playing IG's batch contract.</summary>
public sealed class SenderTests
{
    private const string ApiKey = "test-producer-key";
    private static readonly string[] SchemaFail = ["SCHEMA_FAIL"];
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    private static readonly List<EncodedEnvelope> Envelopes = TestScenarios.Flows(5, 30)
        .SelectMany(f => new[] { f.Anchor, f.Transaction })
        .Select(e => new EncodedEnvelope(e.EventId, e.ToCanonicalJson()))
        .ToList();

    [Fact]
    public async Task Every_envelope_reaches_ig_once_in_batches_with_the_api_key_as_json()
    {
        await using var ig = await StandInIg.StartAsync();
        var counters = await SendAsync(ig, Batches(8), concurrency: 4);

        var received = ig.Received;
        Assert.All(received, batch =>
        {
            Assert.Equal("POST", batch.Method);
            Assert.Equal("/v1/events:batch", batch.Path);
            Assert.Equal(ApiKey, batch.ApiKey);
            Assert.Equal("application/json", batch.ContentType);
            Assert.InRange(batch.RawEnvelopes.Count, 1, 8);
        });
        // Byte for byte what was generated, each exactly once.
        Assert.Equal(
            Envelopes.Select(e => Encoding.UTF8.GetString(e.Json)).Order(StringComparer.Ordinal),
            received.SelectMany(b => b.RawEnvelopes).Order(StringComparer.Ordinal));
        Assert.Equal(new Outcome(Envelopes.Count, Envelopes.Count, 0, 0, 0, 0, 0), Outcome.Of(counters));
    }

    [Fact]
    public async Task A_503_is_retried_with_the_same_envelopes()
    {
        await using var ig = await StandInIg.StartAsync((batch, _) => batch.Call == 1 ? Answer.Problem(503, "Service Unavailable") : null);
        var counters = await SendAsync(ig, Batches(Envelopes.Count));

        var received = ig.Received;
        Assert.Equal(2, received.Count);
        Assert.Equal(received[0].RawEnvelopes, received[1].RawEnvelopes);
        Assert.Equal(new Outcome(Envelopes.Count, Envelopes.Count, 0, 0, 0, 0, Envelopes.Count), Outcome.Of(counters));
    }

    [Fact]
    public async Task A_429_waits_for_retry_after_then_resends()
    {
        await using var ig = await StandInIg.StartAsync((batch, _) => batch.Call == 1 ? Answer.Problem(429, "Too Many Requests", retryAfterSeconds: 1) : null);
        // The backoff alone would wait up to an hour: finishing within the test timeout means Retry-After was used.
        var counters = await SendAsync(ig, Batches(Envelopes.Count), baseDelay: TimeSpan.FromHours(1));

        var received = ig.Received;
        Assert.Equal(2, received.Count);
        Assert.Equal(received[0].EventIds, received[1].EventIds);
        Assert.Equal(new Outcome(Envelopes.Count, Envelopes.Count, 0, 0, 0, 0, Envelopes.Count), Outcome.Of(counters));
    }

    [Fact]
    public async Task Items_answered_409_in_a_batch_are_resent_alone_with_the_same_event_ids()
    {
        await using var ig = await StandInIg.StartAsync((batch, standIn) => batch.Call == 1
            ? standIn.Results(batch, (index, eventId) => index is 3 or 7 ? StandInIg.ItemProblem(index, eventId, 409, "Admission in flight") : null)
            : null);
        var counters = await SendAsync(ig, Batches(Envelopes.Count));

        var received = ig.Received;
        Assert.Equal(2, received.Count);
        Assert.Equal(new[] { Envelopes[3].EventId, Envelopes[7].EventId }, received[1].EventIds);
        Assert.Equal(new[] { received[0].RawEnvelopes[3], received[0].RawEnvelopes[7] }, received[1].RawEnvelopes);
        Assert.Equal(new Outcome(Envelopes.Count, Envelopes.Count, 0, 0, 0, 0, 2), Outcome.Of(counters));
    }

    [Fact]
    public async Task A_401_is_not_retried_and_counts_every_envelope_as_refused()
    {
        await using var ig = await StandInIg.StartAsync((_, _) => Answer.Problem(401, "Unauthorized"));
        var counters = await SendAsync(ig, Batches(Envelopes.Count));

        Assert.Single(ig.Received);
        Assert.Equal(new Outcome(Envelopes.Count, 0, 0, 0, Envelopes.Count, 0, 0), Outcome.Of(counters));
        Assert.Equal(Envelopes.Count, counters.Snapshot().Delivery.Refusals["HTTP 401 Unauthorized"]);
    }

    [Fact]
    public async Task Per_item_refusals_are_final_and_quarantines_and_duplicates_are_counted()
    {
        await using var ig = await StandInIg.StartAsync((batch, standIn) => standIn.Results(batch, (index, eventId) => index switch
        {
            0 => StandInIg.ItemProblem(index, eventId, 403, "Forbidden"),
            1 => new { index, event_id = eventId, decision = "QUARANTINE", receipt_id = "r1", reason_codes = SchemaFail },
            2 => new { index, event_id = eventId, decision = "DUPLICATE", receipt_id = "r2", reason_codes = Array.Empty<string>() },
            _ => null,
        }));
        var counters = await SendAsync(ig, Batches(Envelopes.Count));

        Assert.Single(ig.Received);
        Assert.Equal(new Outcome(Envelopes.Count, Envelopes.Count - 3, 1, 1, 1, 0, 0), Outcome.Of(counters));
        Assert.Equal(1, counters.Snapshot().QuarantineReasons["SCHEMA_FAIL"]);
    }

    [Fact]
    public async Task An_answer_that_does_not_match_the_request_is_resent_not_counted()
    {
        await using var ig = await StandInIg.StartAsync((batch, _) => batch.Call == 1 ? new Answer(200, """{"results":[]}""") : null);
        var counters = await SendAsync(ig, Batches(Envelopes.Count));

        Assert.Equal(2, ig.Received.Count);
        Assert.Equal(new Outcome(Envelopes.Count, Envelopes.Count, 0, 0, 0, 0, Envelopes.Count), Outcome.Of(counters));
    }

    [Fact]
    public async Task Envelopes_still_retryable_after_the_last_attempt_are_lost()
    {
        await using var ig = await StandInIg.StartAsync((_, _) => Answer.Problem(500, "Internal Server Error"));
        var counters = await SendAsync(ig, Batches(Envelopes.Count), maxAttempts: 3);

        Assert.Equal(3, ig.Received.Count);
        Assert.All(ig.Received, batch => Assert.Equal(ig.Received[0].RawEnvelopes, batch.RawEnvelopes));
        Assert.Equal(new Outcome(Envelopes.Count, 0, 0, 0, 0, Envelopes.Count, 2 * Envelopes.Count), Outcome.Of(counters));
    }

    [Fact]
    public async Task Connection_failures_are_retried_then_lost()
    {
        Uri closed;
        await using (var gone = await StandInIg.StartAsync())
        {
            closed = gone.BaseUrl;
        }

        var counters = new ProduceCounters();
        using var http = new HttpClient();
        var sender = new IgBatchSender(http, Options(closed, maxAttempts: 2, baseDelay: TimeSpan.FromMilliseconds(1)), counters);
        using var timeout = new CancellationTokenSource(TestTimeout);
        await sender.SendAsync(Batches(Envelopes.Count), timeout.Token);

        Assert.Equal(new Outcome(Envelopes.Count, 0, 0, 0, 0, Envelopes.Count, Envelopes.Count), Outcome.Of(counters));
        Assert.Contains(counters.Snapshot().Delivery.Losses.Keys, reason => reason.StartsWith("connection failed", StringComparison.Ordinal));
    }

    private static async Task<ProduceCounters> SendAsync(
        StandInIg ig,
        IEnumerable<IReadOnlyList<EncodedEnvelope>> batches,
        int concurrency = 1,
        int maxAttempts = 8,
        TimeSpan? baseDelay = null)
    {
        var counters = new ProduceCounters();
        using var http = new HttpClient();
        var options = Options(ig.BaseUrl, maxAttempts, baseDelay ?? TimeSpan.FromMilliseconds(1)) with { Concurrency = concurrency };
        using var timeout = new CancellationTokenSource(TestTimeout);
        await new IgBatchSender(http, options, counters).SendAsync(batches, timeout.Token);
        return counters;
    }

    private static SenderOptions Options(Uri url, int maxAttempts, TimeSpan baseDelay) => new()
    {
        IgUrl = url,
        ApiKey = ApiKey,
        MaxAttempts = maxAttempts,
        BaseDelay = baseDelay,
        MaxDelay = baseDelay,
    };

    private static IEnumerable<IReadOnlyList<EncodedEnvelope>> Batches(int size) => Envelopes.Chunk(size);

    private sealed record Outcome(long Sent, long Admitted, long Duplicate, long Quarantined, long Refused, long Lost, long Retries)
    {
        public static Outcome Of(ProduceCounters counters)
        {
            var s = counters.Snapshot();
            return new Outcome(s.Delivery.Sent, s.Admitted, s.Duplicate, s.Quarantined, s.Delivery.Refused, s.Delivery.Lost, s.Delivery.Retries);
        }
    }
}
