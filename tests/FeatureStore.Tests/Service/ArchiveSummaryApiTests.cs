using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Service;

/// <summary>GET /v1/archive/{platform_run_id}/summary: what the archive holds for a run, as the test reads it from S3.</summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class ArchiveSummaryApiTests(OfsServiceFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_summary_counts_each_streams_records_segments_and_the_runs_dead_letters()
    {
        var run = FreshRunId();
        for (var i = 0; i < 5; i++)
        {
            var flow = Unique("flow");
            await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(Transaction(run, Unique("evt"), flow, T0.AddMinutes(i))));
        }

        var anchorFlow = Unique("flow");
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Context, PartitionKey(anchorFlow), Bytes(FlowAnchor(run, Unique("anchor"), anchorFlow, T0)));
        // A transaction on the context stream is parked, never archived.
        await fixture.Bus.PublishAsync(PlatformNames.Streams.Context, Unique("pk"), Bytes(Transaction(run, Unique("evt"), Unique("flow"), T0)));
        var traffic = await CompactedAsync(run, "traffic", 5);
        var context = await CompactedAsync(run, "context", 1);
        await Eventually.WaitAsync("the dead letter", async () => (await KeysAsync($"{run}/archive/dead_letters/")).Count == 1);

        using var response = await fixture.Ofs.Client(TestSecrets.OperatorKey).GetAsync(SummaryOf(run));
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(run, body.GetProperty("platform_run_id").GetString());
        Assert.Equal(1, body.GetProperty("dead_letters").GetInt32());
        var streams = body.GetProperty("streams").EnumerateArray().ToDictionary(s => s.GetProperty("stream").GetString()!);
        foreach (var (name, archived) in new[] { ("fp.bus.traffic.v1", traffic), ("fp.bus.context.v1", context) })
        {
            var summary = streams[name];
            var names = archived.Records.Keys.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(names.Count, summary.GetProperty("records").GetInt64());
            Assert.Equal(archived.Segments.Count, summary.GetProperty("segments").GetInt32());
            Assert.Equal(0, summary.GetProperty("spooled").GetInt32());
            Assert.Equal(names[0], summary.GetProperty("first_record").GetString());
            Assert.Equal(names[^1], summary.GetProperty("last_record").GetString());
        }
    }

    [Fact]
    public async Task A_run_with_nothing_archived_counts_zero_and_a_malformed_run_id_or_a_non_operator_is_refused()
    {
        var operatorClient = fixture.Ofs.Client(TestSecrets.OperatorKey);
        using var empty = await operatorClient.GetAsync(SummaryOf(FreshRunId()));
        var body = JsonSerializer.Deserialize<JsonElement>(await empty.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.All(body.GetProperty("streams").EnumerateArray(), s =>
        {
            Assert.Equal(0, s.GetProperty("records").GetInt64());
            Assert.False(s.TryGetProperty("first_record", out _), "an empty stream has no first record");
        });

        using var malformed = await operatorClient.GetAsync(SummaryOf("not-a-run"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        using var producer = await fixture.Ofs.Client(TestSecrets.ProducerKey).GetAsync(SummaryOf(FreshRunId()));
        Assert.Equal(HttpStatusCode.Forbidden, producer.StatusCode);
    }

    private static Uri SummaryOf(string run) => new($"/v1/archive/{Uri.EscapeDataString(run)}/summary", UriKind.Relative);
}
