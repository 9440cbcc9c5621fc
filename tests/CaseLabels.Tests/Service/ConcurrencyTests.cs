using System.Net;
using static CaseLabels.Tests.Service.Labels;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Service;

/// <summary>Races at the writer boundary resolve in the state store: first-write and ETags, never two entries for one assertion.</summary>
[Collection(CmServiceCollectionDefinition.Name)]
public sealed class ConcurrencyTests(CmServiceFixture fixture)
{
    private HttpClient Feed => fixture.Cm.Client("feed");

    private HttpClient Operator => fixture.Cm.Client("operator");

    [Fact]
    public async Task Many_concurrent_identical_assertions_make_one_timeline_entry()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));

        var acks = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Feed.PostLabelAsync(AssertionJson(run, evt))));

        Assert.All(acks, a => Assert.True(a.Status == HttpStatusCode.OK && a.Str("status") == "ACCEPTED", a.ToString()));
        Assert.Single(acks, a => a.Str("reason_code") == "NEW");
        Assert.Single(acks.Select(a => a.Str("label_assertion_id")).Distinct());
        Assert.Single(acks.Select(a => a.Str("recorded_at_utc")).Distinct());
        Assert.Single(await Operator.TimelineAsync(run, evt));
        var page = await Operator.ReadAsync($"v1/labels?platform_run_id={run}");
        Assert.Single(page.Body.GetProperty("labels").EnumerateArray());
    }

    [Fact]
    public async Task Concurrent_different_assertions_about_one_subject_each_get_their_own_position()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));

        var acks = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Feed.PostLabelAsync(AssertionJson(run, evt, value: "PENDING", observed: Observed.AddHours(i)))));

        Assert.All(acks, a => Assert.Equal("NEW", a.Str("reason_code")));
        var timeline = await Operator.TimelineAsync(run, evt);
        Assert.Equal(Enumerable.Range(0, 12), timeline.Select(r => r.GetProperty("subject_seq").GetInt32()));
        Assert.Equal(acks.Select(a => a.Str("label_assertion_id")).Order(StringComparer.Ordinal), timeline.Select(r => r.GetProperty("label_assertion_id").GetString()).Order(StringComparer.Ordinal));
    }
}
