using System.Net;
using static CaseLabels.Tests.Service.Labels;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Service;

/// <summary>The read path OFS builds datasets from: a subject's timeline and every label of a run, paged.</summary>
[Collection(CmServiceCollectionDefinition.Name)]
public sealed class LabelReadTests(CmServiceFixture fixture)
{
    private HttpClient Feed => fixture.Cm.Client("feed");

    private HttpClient Operator => fixture.Cm.Client("operator");

    [Fact]
    public async Task Paging_through_a_run_returns_each_label_once_and_only_that_runs()
    {
        var (run, other) = (FreshRunId(), FreshRunId());
        var subjects = Enumerable.Range(0, 45).Select(_ => Unique("evt")).ToList();
        var written = await Feed.PostBatchAsync(subjects.Select(e => AssertionJson(run, e)));
        await Feed.PostLabelAsync(AssertionJson(other, subjects[0]));
        // A second label for one subject is a second entry of the run.
        var later = await Feed.PostLabelAsync(AssertionJson(run, subjects[0], value: "NO_CHARGEBACK", observed: Observed.AddDays(3)));
        var expected = written.Body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ack").GetProperty("label_assertion_id").GetString()!)
            .Append(later.Str("label_assertion_id")).Order(StringComparer.Ordinal).ToList();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Operator.ReadAsync($"v1/labels?platform_run_id={run}&limit=7" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
            var labels = page.Body.GetProperty("labels").EnumerateArray().ToList();
            Assert.InRange(labels.Count, 0, 7);
            labels.ForEach(l => AssertConforms("labels/label_record.v0.schema.json", l));
            Assert.All(labels, l => Assert.Equal(run, l.GetProperty("platform_run_id").GetString()));
            seen.AddRange(labels.Select(l => l.GetProperty("label_assertion_id").GetString()!));
            cursor = page.Body.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.Null(cursor);
        Assert.Equal(expected, seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_run_without_labels_reads_as_one_empty_page()
    {
        var page = await Operator.ReadAsync($"v1/labels?platform_run_id={FreshRunId()}");

        Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
        Assert.Empty(page.Body.GetProperty("labels").EnumerateArray());
        Assert.False(page.Body.TryGetProperty("next_cursor", out _));
    }

    [Theory]
    [InlineData("v1/labels")]
    [InlineData("v1/labels?platform_run_id=run-1")]
    [InlineData("v1/labels?platform_run_id=platform_20261127T213503Z&cursor=zz")]
    [InlineData("v1/labels?platform_run_id=platform_20261127T213503Z&limit=0")]
    [InlineData("v1/labels?platform_run_id=platform_20261127T213503Z&limit=100000")]
    [InlineData("v1/labels/run-1/evt-1")]
    public async Task Bad_read_requests_are_problems(string path)
    {
        var answer = await Operator.ReadAsync(path);

        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
    }

    [Fact]
    public async Task Internal_readers_come_through_the_sidecar_and_other_callers_need_a_reader_role()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));
        await Feed.PostLabelAsync(AssertionJson(run, evt));
        var path = $"v1/labels/{run}/{evt}";
        var anonymous = fixture.Cm.Client("missing");

        var ofs = await anonymous.ReadAsync(path, new Dictionary<string, string> { ["dapr-caller-app-id"] = "ofs" });
        var stranger = await anonymous.ReadAsync(path, new Dictionary<string, string> { ["dapr-caller-app-id"] = "mf" });
        var nobody = await anonymous.ReadAsync(path);
        var producer = await fixture.Cm.Client("producer").ReadAsync(path);
        var analyst = await fixture.Cm.Client("analyst").ReadAsync(path);
        var feed = await Feed.ReadAsync(path);

        Assert.True(ofs.Status == HttpStatusCode.OK, ofs.ToString());
        Assert.Single(ofs.Body.GetProperty("labels").EnumerateArray());
        Assert.True(analyst.Status == HttpStatusCode.OK, analyst.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, nobody.Status);
        Assert.Equal(HttpStatusCode.Forbidden, producer.Status);
        // A feed writes labels; reading them back is not its business.
        Assert.Equal(HttpStatusCode.Forbidden, feed.Status);
    }
}
