using System.Text;
using System.Text.Json;
using Platform.Substrate.Pinning;
using Platformctl.Labels;
using Platformctl.Produce.Contracts;

namespace Platformctl.Tests;

/// <summary><c>platformctl labels feed</c> in process against a stand-in cm: what goes on the wire, retries and the summary.</summary>
public sealed class LabelFeedTests : IDisposable
{
    private const string ApiKey = "test-label-feed-key";

    private static readonly IReadOnlyList<LabelRecord> GroundTruth =
        [.. TestScenarios.Flows(42, 3_000).Where(f => f.Label is not null).Select(f => f.Label!)];

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("platformctl-labels-");

    [Fact]
    public async Task Every_label_is_posted_once_as_an_external_assertion_with_its_own_times()
    {
        await using var cm = await StandInCm.StartAsync();

        var run = await FeedAsync(cm, WriteLabels(GroundTruth));

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.All(cm.Received, batch =>
        {
            Assert.Equal(("POST", "/v1/labels:batch", ApiKey, "application/json"), (batch.Method, batch.Path, batch.ApiKey, batch.ContentType));
            Assert.InRange(batch.RawAssertions.Count, 1, 7);
        });
        var sent = cm.Received.SelectMany(b => b.RawAssertions).ToList();
        var expected = GroundTruth.Select(l => Encoding.UTF8.GetString(FeedAssertion.From(l).Encode().Json)).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), sent.Order(StringComparer.Ordinal));
        foreach (var (label, raw) in GroundTruth.Zip(expected))
        {
            using var assertion = JsonDocument.Parse(raw);
            var root = assertion.RootElement;
            Assert.Equal(UtcTimestamp.Format(label.ObservedTime), root.GetProperty("observed_time").GetString());
            Assert.Equal(UtcTimestamp.Format(label.EffectiveTime), root.GetProperty("effective_time").GetString());
            Assert.Equal(label.Value, root.GetProperty("value").GetString());
            // Only the subject and the label travel: no actor claims, no campaign, nothing the producer keeps for itself.
            Assert.Equal(
                ["effective_time", "event_id", "label_type", "observed_time", "platform_run_id", "taxonomy_version", "value"],
                root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }

        Assert.Contains(Row("accepted", GroundTruth.Count), run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Row("replayed", 0), run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Row("rejected", 0), run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"labels {GroundTruth.Count}/{GroundTruth.Count} (100%)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_feed_posts_meets_the_label_stores_assertion_schema()
    {
        Assert.All(GroundTruth, label =>
        {
            using var assertion = JsonDocument.Parse(FeedAssertion.From(label).Encode().Json);
            Assert.Empty(Platform.Testing.SchemaContract.Errors("labels/label_assertion.v0.schema.json", assertion.RootElement));
        });
    }

    [Fact]
    public async Task Feeding_again_replays_every_label_and_succeeds()
    {
        await using var cm = await StandInCm.StartAsync();
        var file = WriteLabels(GroundTruth);

        await FeedAsync(cm, file);
        var again = await FeedAsync(cm, file);

        Assert.True(again.ExitCode == 0, again.Stdout);
        Assert.Contains(Row("accepted", 0), again.Stdout, StringComparison.Ordinal);
        Assert.Contains(Row("replayed", GroundTruth.Count), again.Stdout, StringComparison.Ordinal);
        Assert.Equal(GroundTruth.Count, cm.Recorded.Count);
    }

    [Fact]
    public async Task Retryable_answers_are_retried_with_the_same_bytes_until_every_label_lands()
    {
        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cm = await StandInCm.StartAsync((batch, self) =>
        {
            lock (firstSeen)
            {
                foreach (var (eventId, raw) in batch.EventIds.Zip(batch.RawAssertions))
                {
                    // Each label's bytes are the same on every attempt.
                    Assert.Equal(firstSeen.TryAdd(eventId, raw) ? raw : firstSeen[eventId], raw);
                }
            }

            return batch.Call switch
            {
                1 => Answer.Problem(503, "Unavailable", retryAfterSeconds: 0),
                2 => Answer.Problem(429, "Too many requests", retryAfterSeconds: 0),
                3 => new Answer(408, "{}"),
                // A request that lands but whose first item is still being written: only that item comes back.
                4 => self.Results(batch, (index, _) => index == 0 ? StandInCm.ItemProblem(index, 503, "Unavailable") : null),
                _ => null,
            };
        });

        // The first batch needs five attempts: three refused requests, then one item again.
        var run = await FeedAsync(cm, WriteLabels(GroundTruth), concurrency: 1, maxAttempts: 5);

        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Equal(GroundTruth.Count, cm.Recorded.Count);
        Assert.Contains(Row("accepted", GroundTruth.Count), run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Row("retries", 7 + 7 + 7 + 1), run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Row("lost", 0), run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_that_landed_before_its_answer_was_lost_comes_back_as_a_replay()
    {
        await using var cm = await StandInCm.StartAsync((batch, self) =>
        {
            if (batch.Call == 1)
            {
                // cm recorded the batch, then the answer was lost (a 502 from a proxy).
                _ = self.Results(batch);
                return Answer.Problem(502, "Bad gateway", retryAfterSeconds: 0);
            }

            return null;
        });

        var run = await FeedAsync(cm, WriteLabels(GroundTruth), concurrency: 1);

        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Contains(Row("replayed", 7), run.Stdout, StringComparison.Ordinal);
        Assert.Contains(Row("accepted", GroundTruth.Count - 7), run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_is_final_and_fails_the_run()
    {
        await using var cm = await StandInCm.StartAsync((_, _) => Answer.Problem(403, "Not allowed"));

        var run = await FeedAsync(cm, WriteLabels(GroundTruth));

        Assert.Equal(LabelFeedRun.FailureExitCode, run.ExitCode);
        Assert.Equal((GroundTruth.Count + 6) / 7, cm.Received.Count);
        Assert.Contains(Row("refused", GroundTruth.Count), run.Stdout, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 Not allowed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_still_retryable_after_the_last_attempt_are_lost()
    {
        await using var cm = await StandInCm.StartAsync((_, _) => Answer.Problem(503, "Unavailable", retryAfterSeconds: 0));

        var run = await FeedAsync(cm, WriteLabels(GroundTruth), maxAttempts: 2);

        Assert.Equal(LabelFeedRun.FailureExitCode, run.ExitCode);
        Assert.Equal(2 * ((GroundTruth.Count + 6) / 7), cm.Received.Count);
        Assert.Contains(Row("lost", GroundTruth.Count), run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejected_labels_are_counted_by_reason_and_fail_the_run()
    {
        await using var cm = await StandInCm.StartAsync();
        var labels = GroundTruth.Take(10).Select((l, i) => i < 3 ? l with { Value = "MAYBE" } : l).ToList();

        var run = await FeedAsync(cm, WriteLabels(labels));

        Assert.Equal(LabelFeedRun.FailureExitCode, run.ExitCode);
        Assert.Contains(Row("rejected", 3), run.Stdout, StringComparison.Ordinal);
        Assert.Contains("UNKNOWN_LABEL_VALUE x3", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_of_another_run_or_no_key_are_refused_before_anything_is_sent()
    {
        await using var cm = await StandInCm.StartAsync();
        var file = WriteLabels(GroundTruth);

        var otherRun = await InvokeAsync(["labels", "feed", "--run-id", "platform_20260105T093001Z", "--labels-in", file, "--cm-url", cm.BaseUrl.ToString(), "--api-key", ApiKey]);
        var noKey = await InvokeAsync(["labels", "feed", "--run-id", TestScenarios.RunId, "--labels-in", file, "--cm-url", cm.BaseUrl.ToString(), "--api-key", ""]);
        var noFile = await InvokeAsync(["labels", "feed", "--run-id", TestScenarios.RunId, "--labels-in", Path.Combine(directory.FullName, "none"), "--cm-url", cm.BaseUrl.ToString(), "--api-key", ApiKey]);

        Assert.All(new[] { otherRun, noKey, noFile }, r => Assert.Equal(LabelsCommand.ConfigurationErrorExitCode, r.ExitCode));
        Assert.Contains("platform_20260105T093000Z", otherRun.Stderr, StringComparison.Ordinal);
        Assert.Contains(LabelsCommand.ApiKeyVariable, noKey.Stderr, StringComparison.Ordinal);
        Assert.Empty(cm.Received);
    }

    [Fact]
    public async Task A_directory_is_read_as_the_producers_label_files()
    {
        await using var cm = await StandInCm.StartAsync();
        var runDirectory = Directory.CreateDirectory(Path.Combine(directory.FullName, "producer", TestScenarios.RunId));
        WriteLabels(GroundTruth.Take(5), Path.Combine(runDirectory.FullName, "labels_a.ndjson"));
        WriteLabels(GroundTruth.Skip(5).Take(4), Path.Combine(runDirectory.FullName, "labels_b.ndjson"));
        File.WriteAllText(Path.Combine(runDirectory.FullName, "notes.txt"), "not labels");

        var run = await FeedAsync(cm, runDirectory.FullName);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal(9, cm.Recorded.Count);
    }

    public void Dispose() => directory.Delete(recursive: true);

    private static string Row(string name, long value) => FormattableString.Invariant($"  {name,-10} {value}");

    private string WriteLabels(IEnumerable<LabelRecord> labels, string? path = null)
    {
        path ??= Path.Combine(directory.FullName, $"labels_{Guid.NewGuid():N}.ndjson");
        File.WriteAllLines(path, labels.Select(l => Encoding.UTF8.GetString(l.ToCanonicalJson())));
        return path;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> FeedAsync(StandInCm cm, string labelsIn, int concurrency = 2, int maxAttempts = 4) =>
        InvokeAsync(
        [
            "labels", "feed", "--run-id", TestScenarios.RunId, "--labels-in", labelsIn, "--cm-url", cm.BaseUrl.ToString(),
            "--api-key", ApiKey, "--batch-size", "7", "--concurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--max-attempts", maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);

    private static Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(string[] args) =>
        CliRun.InvokeAsync(LabelsCommand.Create(), args);
}
