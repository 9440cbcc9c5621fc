using System.Net;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary><c>GET /v1/runs/{platform_run_id}/summary</c>: a run's receipts counted by decision, read back from storage.</summary>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed class RunSummaryTests(IgServiceFixture fixture)
{
    private HttpClient Producer => fixture.Ig.Client("traffic");

    private HttpClient Operator => fixture.Ig.Client("operator");

    [Fact]
    public async Task Counts_every_receipt_of_the_run_once_by_decision()
    {
        var run = FreshRunId();
        var events = Enumerable.Range(0, 5).Select(_ => Transaction(run, Unique("evt"), Unique("flow"))).ToList();
        var batch = await Producer.PostBatchAsync(events);
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        Assert.All(batch.Results, r => Assert.Equal("ADMIT", r.GetProperty("decision").GetString()));
        // The same event again (DUPLICATE), and the same event_id with another payload (QUARANTINE).
        Assert.Equal("DUPLICATE", (await Producer.PostEventAsync(events[0])).Decision);
        var changed = events[1].DeepClone().AsObject();
        changed["payload"]!["amount"] = 1234.5;
        Assert.Equal("QUARANTINE", (await Producer.PostEventAsync(changed)).Decision);
        // Another run's receipts never count here.
        Assert.Equal("ADMIT", (await Producer.PostEventAsync(Transaction(FreshRunId(), Unique("evt"), Unique("flow")))).Decision);

        var summary = await Operator.GetJsonAsync($"/v1/runs/{run}/summary");

        Assert.Equal(HttpStatusCode.OK, summary.Status);
        Assert.Equal(run, summary.Body.GetProperty("platform_run_id").GetString());
        Assert.Equal(7, summary.Body.GetProperty("receipts").GetInt32());
        var byDecision = summary.Body.GetProperty("by_decision");
        Assert.Equal(5, byDecision.GetProperty("ADMIT").GetInt32());
        Assert.Equal(1, byDecision.GetProperty("DUPLICATE").GetInt32());
        Assert.Equal(1, byDecision.GetProperty("QUARANTINE").GetInt32());
    }

    [Fact]
    public async Task A_run_without_receipts_counts_zero()
    {
        var summary = await Operator.GetJsonAsync($"/v1/runs/{FreshRunId()}/summary");

        Assert.Equal(HttpStatusCode.OK, summary.Status);
        Assert.Equal(0, summary.Body.GetProperty("receipts").GetInt32());
        Assert.Equal(0, summary.Body.GetProperty("by_decision").GetProperty("ADMIT").GetInt32());
    }

    [Fact]
    public async Task Only_operators_read_it_and_the_run_id_must_be_one()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await Producer.GetJsonAsync($"/v1/runs/{FreshRunId()}/summary")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Ig.Client("unknown").GetJsonAsync($"/v1/runs/{FreshRunId()}/summary")).Status);

        var bad = await Operator.GetJsonAsync("/v1/runs/latest/summary");

        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("bad_request", bad.ProblemCode);
    }
}
