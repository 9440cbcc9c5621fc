using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing;
using Platform.Testing.Fakes;
using static FeatureStore.Tests.Service.CmLabelsFixture;

namespace FeatureStore.Tests.Service;

/// <summary>
/// OFS reads a run's label timeline from the real cm through Dapr service invocation (ofs sidecar → cm sidecar → cm),
/// page by page, and freezes it for a build: every accepted assertion once, the dataset seeing only what was observed
/// by label_asof_utc, and a read that cannot finish failing rather than returning part of the timeline.
/// </summary>
public sealed class CmLabelTimelineTests(CmLabelsFixture cm) : IClassFixture<CmLabelsFixture>
{
    [Fact]
    public async Task The_timeline_read_through_the_ofs_sidecar_holds_every_accepted_assertion_once_across_pages()
    {
        // cm accepted every distinct assertion as NEW and the resent first one as a REPLAY of the same assertion.
        Assert.Equal(cm.Posted.Count + 1, cm.Acks.Count);
        Assert.All(cm.Acks, ack => Assert.Equal("ACCEPTED", ack.GetProperty("status").GetString()));
        Assert.All(cm.Acks.SkipLast(1), ack => Assert.Equal("NEW", ack.GetProperty("reason_code").GetString()));
        Assert.Equal("REPLAY", cm.Acks[^1].GetProperty("reason_code").GetString());
        Assert.Equal(AssertionId(cm.Acks[0]), AssertionId(cm.Acks[^1]));

        // The run spans several of cm's pages (OFS asks for no page size: cm pages at its configured maximum).
        using (var sidecar = DaprClient.CreateInvokeHttpClient("cm", cm.OfsSidecarEndpoint))
        {
            using var first = await sidecar.GetAsync(new Uri($"v1/labels?platform_run_id={cm.RunId}", UriKind.Relative));
            var page = await first.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(first.StatusCode == HttpStatusCode.OK, page.ToString());
            Assert.Equal(CmLabelsFixture.CmPageSize, page.GetProperty("labels").GetArrayLength());
            Assert.Equal(JsonValueKind.String, page.GetProperty("next_cursor").ValueKind);
        }

        var timeline = await cm.Timeline.ReadRunAsync(cm.RunId, CancellationToken.None);

        var acked = cm.Acks.SkipLast(1).Select(AssertionId).ToList();
        Assert.True(cm.Posted.Count > 2 * CmLabelsFixture.CmPageSize, "the run must span more than two pages");
        Assert.Equal(acked.Count, timeline.Count);
        Assert.Equal(acked.Order(StringComparer.Ordinal), timeline.Select(l => l.LabelAssertionId).Order(StringComparer.Ordinal));
        var byId = timeline.ToDictionary(l => l.LabelAssertionId, StringComparer.Ordinal);
        foreach (var (posted, id) in cm.Posted.Zip(acked))
        {
            var read = byId[id];
            Assert.Equal(
                (posted["event_id"]!.GetValue<string>(), posted["label_type"]!.GetValue<string>(), posted["value"]!.GetValue<string>(), posted["observed_time"]!.GetValue<string>()),
                (read.EventId, read.LabelType, read.Value, UtcTimestamp.Format(read.ObservedTime)));
        }

        Assert.Equal(
            [("FRAUD_SUSPECTED", Effective.AddDays(3)), ("FRAUD_CONFIRMED", Effective.AddDays(5))],
            timeline.Where(l => l.EventId == cm.TwiceObservedEvent).OrderBy(l => l.ObservedTime).Select(l => (l.Value, l.ObservedTime)));
        Assert.True(timeline.Single(l => l.EventId == cm.LateEvent).ObservedTime > LabelAsof);
    }

    [Fact]
    public async Task A_snapshot_of_the_cm_timeline_is_canonical_and_the_dataset_leaves_out_the_label_observed_after_label_asof()
    {
        var store = new InMemoryObjectStore();
        var activity = new SnapshotLabelsActivity(cm.Timeline, store);
        var input = new SnapshotLabelsInput("ofsb_cm_" + Guid.NewGuid().ToString("N")[..12], cm.RunId);

        var snapshot = await activity.RunAsync(null!, input);

        Assert.Equal(OfsBuildKeys.LabelSnapshot(cm.RunId, input.BuildId), snapshot.ObjectRef);
        var bytes = store.Objects[snapshot.ObjectRef];
        Assert.Equal(Digests.Sha256Hex(bytes), snapshot.Sha256);
        var frozen = JsonSerializer.Deserialize<List<LabelObservation>>(bytes, PlatformJson.Options)!;
        Assert.Equal(cm.Posted.Count, snapshot.LabelCount);
        Assert.Equal(cm.Acks.SkipLast(1).Select(AssertionId).Order(StringComparer.Ordinal), frozen.Select(l => l.LabelAssertionId).Order(StringComparer.Ordinal));
        var canonical = frozen
            .OrderBy(l => l.EventId, StringComparer.Ordinal)
            .ThenBy(l => l.LabelType, StringComparer.Ordinal)
            .ThenBy(l => l.ObservedTime)
            .ThenBy(l => l.LabelAssertionId, StringComparer.Ordinal);
        Assert.Equal(canonical, frozen);

        // A retried activity reads cm again (in whatever order its pages come) and must freeze the same bytes.
        Assert.Equal(snapshot, await activity.RunAsync(null!, input));

        // What BuildDatasetActivity does with the frozen labels: mature transactions of the two fraud_disposition events.
        FeatureEvent Transaction(string eventId, int minute) => new(eventId, Effective.AddMinutes(minute), "acct-1", "m-1", "c-1", "d-1", 1000);
        var transactions = new[] { Transaction(cm.TwiceObservedEvent, 1), Transaction(cm.LateEvent, 2) };
        var basis = new LabelBasis(LabelAsof, LabelBasis.FraudPositiveElseMatureNegativeV0, MaturityDays: 3);

        var (rows, counts) = PointInTimeDataset.Build(FraudCore.V1, transactions, 0, frozen, basis);

        Assert.True(rows.Single(r => r.EventId == cm.TwiceObservedEvent).Label);
        Assert.False(rows.Single(r => r.EventId == cm.LateEvent).Label);
        Assert.Equal(1, counts.LabelsAfterAsof);

        // Once label_asof_utc is past its observed_time the same label decides the row.
        var (later, laterCounts) = PointInTimeDataset.Build(FraudCore.V1, transactions, 0, frozen, basis with { LabelAsofUtc = LabelAsof.AddDays(2) });
        Assert.True(later.Single(r => r.EventId == cm.LateEvent).Label);
        Assert.Equal(0, laterCounts.LabelsAfterAsof);
    }

    [Fact]
    public async Task A_cm_that_cannot_be_resolved_fails_the_read()
    {
        var (_, ofsSidecar) = await cm.StartCmAsync(withCm: false);
        using var invoke = DaprClient.CreateInvokeHttpClient("cm", $"http://127.0.0.1:{ofsSidecar.HttpPort}");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => new CmLabelTimeline(invoke).ReadRunAsync(cm.RunId, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
    }

    [Fact]
    public async Task A_cm_stopped_after_the_first_page_fails_the_read_instead_of_returning_part_of_the_timeline()
    {
        var (other, ofsSidecar) = await cm.StartCmAsync();
        using var handler = new AfterFirstAnswer(() => other!.StopAsync(), new InvocationHandler
        {
            DaprEndpoint = $"http://127.0.0.1:{ofsSidecar.HttpPort}",
            InnerHandler = new SocketsHttpHandler(),
        });
        using var invoke = new HttpClient(handler) { BaseAddress = new Uri("http://cm") };

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => new CmLabelTimeline(invoke).ReadRunAsync(cm.RunId, CancellationToken.None));

        Assert.Equal([HttpStatusCode.OK, failure.StatusCode!.Value], handler.Answers);
        Assert.False((int)failure.StatusCode is >= 200 and < 300);
        Assert.Contains("cursor=", handler.LastQuery, StringComparison.Ordinal);
    }

    private static string AssertionId(JsonElement ack) => ack.GetProperty("label_assertion_id").GetString()!;

    /// <summary>Runs <paramref name="afterFirst"/> once the first answer is in, and records every answer's status.</summary>
    private sealed class AfterFirstAnswer(Func<Task> afterFirst, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<HttpStatusCode> Answers { get; } = [];

        public string LastQuery { get; private set; } = string.Empty;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastQuery = request.RequestUri!.Query;
            var response = await base.SendAsync(request, cancellationToken);
            Answers.Add(response.StatusCode);
            if (Answers.Count == 1)
            {
                await afterFirst();
            }

            return response;
        }
    }
}
