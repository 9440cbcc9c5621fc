using System.CommandLine;
using System.Globalization;
using System.Text;
using Platform.Substrate.Pinning;
using Platformctl.Labels;
using Platformctl.Produce.Contracts;
using Platformctl.Produce.Generation;
using static CaseLabels.Tests.Service.Labels;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Service;

/// <summary><c>platformctl labels feed</c> against the real writer boundary: the producer's chargebacks become EXTERNAL labels.</summary>
[Collection(CmServiceCollectionDefinition.Name)]
public sealed class LabelFeedEndToEndTests(CmServiceFixture fixture)
{
    [Fact]
    public async Task The_producers_chargebacks_land_as_external_labels_with_their_own_observed_time_and_a_second_feed_replays()
    {
        var run = FreshRunId();
        var manifest = new ScenarioManifest("cm_feed_e2e", 7, ScenarioManifest.CurrentGeneratorVersion, ScenarioParameters.Default);
        var truth = new ScenarioTraffic(manifest, run).Flows().Take(1_500).Where(f => f.Label is not null).Select(f => f.Label!).ToList();
        var file = Path.Combine(Directory.CreateTempSubdirectory("cm-feed-e2e-").FullName, "labels_e2e.ndjson");
        await File.WriteAllLinesAsync(file, truth.Select(l => Encoding.UTF8.GetString(l.ToCanonicalJson())));

        var first = await FeedAsync(run, file);
        var second = await FeedAsync(run, file);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains(Row("accepted", truth.Count), first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains(Row("replayed", truth.Count), second.Output, StringComparison.Ordinal);

        var stored = await ReadRunAsync(run);
        Assert.Equal(truth.Count, stored.Count);
        var byEvent = truth.ToDictionary(l => l.EventId, StringComparer.Ordinal);
        Assert.All(stored, record =>
        {
            var label = byEvent[record.GetProperty("event_id").GetString()!];
            Assert.Equal(UtcTimestamp.Format(label.ObservedTime), record.GetProperty("observed_time").GetString());
            Assert.Equal(UtcTimestamp.Format(label.EffectiveTime), record.GetProperty("effective_time").GetString());
            Assert.Equal(label.Value, record.GetProperty("value").GetString());
            Assert.Equal(LabelRecord.ExternalSource, record.GetProperty("label_source").GetString());
            Assert.Equal("SYSTEM::cm-tests-chargebacks", record.GetProperty("actor_id").GetString());
        });
    }

    private async Task<(int ExitCode, string Output)> FeedAsync(string run, string file)
    {
        var root = new RootCommand { LabelsCommand.Create() };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await root.Parse(
            ["labels", "feed", "--run-id", run, "--labels-in", file, "--cm-url", fixture.Cm.BaseAddress.ToString(), "--api-key", TestSecrets.ApiKey("feed")!, "--batch-size", "50"])
            .InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout + Environment.NewLine + stderr);
    }

    private async Task<IReadOnlyList<System.Text.Json.JsonElement>> ReadRunAsync(string run)
    {
        var records = new List<System.Text.Json.JsonElement>();
        string? cursor = null;
        do
        {
            var page = await fixture.Cm.Client("operator").ReadAsync($"v1/labels?platform_run_id={run}&limit=100" + (cursor is null ? "" : "&cursor=" + cursor));
            records.AddRange(page.Body.GetProperty("labels").EnumerateArray());
            cursor = page.Body.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        return records;
    }

    private static string Row(string name, long value) => string.Create(CultureInfo.InvariantCulture, $"  {name,-10} {value}");
}
