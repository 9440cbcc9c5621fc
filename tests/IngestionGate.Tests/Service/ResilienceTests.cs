using System.Net;
using System.Text.Json.Nodes;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary>Request errors that depend on IG's state rather than on the request: 429 (rate) and 503 (sidecar down).</summary>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed class ResilienceTests(IgServiceFixture fixture)
{
    [Fact]
    public async Task A_producer_over_its_rate_gets_429_with_retry_after_and_nothing_is_written()
    {
        await using var ig = await IgService.StartAsync(fixture.Sidecar, new Dictionary<string, string?>
        {
            ["IngestionGate:RateLimitEventsPerSecond"] = "1",
            ["IngestionGate:RateLimitBurst"] = "500",
        });
        var producer = ig.Client("traffic");
        var run = FreshRunId();

        // 500 envelopes drain the bucket (each is refused by class, so the batch itself writes nothing).
        var decisions = Enumerable.Range(0, 500).Select(i =>
        {
            var decision = Transaction(run, Unique("evt"), Unique("flow"));
            decision["event_type"] = "decision_response";
            return (JsonNode)decision;
        });
        var batch = await producer.PostBatchAsync(decisions);
        Assert.True(batch.Status == HttpStatusCode.OK, batch.ToString());
        Assert.All(batch.Results, r => Assert.Equal(403, r.GetProperty("status").GetInt32()));

        // The bucket refills one token a second: single submissions soon meet an empty one.
        Answer? limited = null;
        var limitedRun = string.Empty;
        for (var attempt = 0; attempt < 20 && limited is null; attempt++)
        {
            var attemptRun = FreshRunId();
            var answer = await producer.PostEventAsync(Transaction(attemptRun, Unique("evt"), Unique("flow")));
            if (answer.Status == HttpStatusCode.TooManyRequests)
            {
                (limited, limitedRun) = (answer, attemptRun);
            }
            else
            {
                Assert.Equal("ADMIT", answer.Decision);
            }
        }

        Assert.NotNull(limited);
        Assert.Equal("rate_limited", limited.ProblemCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Empty(await Backends.RowsOfRunAsync(limitedRun, []));
        Assert.Empty(await Backends.ObjectKeysAsync(limitedRun + "/"));

        // Other callers have buckets of their own.
        Assert.Equal("ADMIT", (await ig.Client("traffic_context").PostEventAsync(Transaction(run, Unique("evt"), Unique("flow")))).Decision);
    }

    [Fact]
    public async Task With_the_sidecar_down_a_submission_gets_503_and_nothing_is_written()
    {
        await using var sidecar = await Backends.StartSidecarAsync();
        await using var ig = await IgService.StartAsync(sidecar);
        var producer = ig.Client("traffic");
        Assert.Equal("ADMIT", (await producer.PostEventAsync(Transaction(FreshRunId(), Unique("evt"), Unique("flow")))).Decision);
        var run = FreshRunId();
        var envelope = Transaction(run, Unique("evt"), Unique("flow"));

        await sidecar.StopAsync();
        var refused = await producer.PostEventAsync(envelope);
        await sidecar.StartAsync();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unavailable"), (refused.Status, refused.ProblemCode));
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Empty(await Backends.RowsOfRunAsync(run, [DedupeKey(run, envelope["event_id"]!.GetValue<string>())]));
        Assert.Empty(await Backends.ObjectKeysAsync(run + "/"));

        // A producer retries 503 with backoff (the client's connection to the restarted sidecar may take a moment to
        // come back). The retry is a first admission, not a duplicate: the refused request left nothing behind.
        var retried = await producer.PostEventAsync(envelope);
        for (var attempt = 0; attempt < 50 && retried.Status == HttpStatusCode.ServiceUnavailable; attempt++)
        {
            await Task.Delay(200);
            retried = await producer.PostEventAsync(envelope);
        }

        Assert.True(retried.Status == HttpStatusCode.OK, retried.ToString());
        Assert.Equal("ADMIT", retried.Decision);
    }
}
