using System.Text.Json;
using Platformctl.Produce;

namespace Platformctl.Tests;

/// <summary><c>platformctl produce</c> end to end, in process: dry runs on disk and real sends to a stand-in IG.</summary>
public sealed class ProduceCommandTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("platformctl-produce-");

    [Fact]
    public async Task Two_dry_runs_with_the_same_seed_write_identical_envelopes_and_labels()
    {
        var first = await DryRunAsync("a", seed: 3);
        var second = await DryRunAsync("b", seed: 3);
        var other = await DryRunAsync("c", seed: 4);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(File.ReadAllBytes(first.Out), File.ReadAllBytes(second.Out));
        Assert.Equal(File.ReadAllBytes(first.Labels), File.ReadAllBytes(second.Labels));
        Assert.NotEqual(File.ReadAllBytes(first.Out), File.ReadAllBytes(other.Out));
        Assert.Equal(2_000, File.ReadAllLines(first.Out).Length);
        Assert.Contains("dry run: wrote 2000 envelopes", first.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_writes_one_canonical_envelope_per_line_and_labels_in_observation_order()
    {
        var run = await DryRunAsync("a", seed: 3, events: 4_001);

        var lines = File.ReadAllLines(run.Out);
        Assert.Equal(4_002, lines.Length);
        Assert.All(lines, line => Assert.Equal(line, System.Text.Encoding.UTF8.GetString(Platform.Substrate.Pinning.CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(line)))));
        var transactions = lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event_type").GetString() == "transaction")
            .ToDictionary(e => e.GetProperty("event_id").GetString()!, e => e.GetProperty("ts_utc").GetString()!);
        var labels = File.ReadAllLines(run.Labels).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(labels);
        Assert.All(labels, label => Assert.Equal(transactions[label.GetProperty("event_id").GetString()!], label.GetProperty("effective_time").GetString()));
        var observed = labels.Select(l => l.GetProperty("observed_time").GetString()!).ToList();
        Assert.Equal(observed.Order(StringComparer.Ordinal), observed);
    }

    [Theory]
    [InlineData("--run-id", "run_1")]
    [InlineData("--batch-size", "501")]
    [InlineData("--seed", "9007199254740992")]
    [InlineData("--scenario", "Not Valid")]
    [InlineData("--start", "2026-01-05T00:00:00+02:00")]
    [InlineData("--accounts", "5")]
    public async Task Invalid_options_are_refused_before_anything_is_written(string option, string value)
    {
        var outPath = Path.Combine(directory.FullName, "out.ndjson");
        var args = new Dictionary<string, string>
        {
            ["--run-id"] = TestScenarios.RunId,
            ["--labels-out"] = Path.Combine(directory.FullName, "labels.ndjson"),
            ["--out"] = outPath,
            [option] = value,
        };
        var run = await InvokeAsync([.. args.SelectMany(a => new[] { a.Key, a.Value }), "--dry-run"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(option, run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public async Task A_dry_run_needs_an_output_file()
    {
        var run = await InvokeAsync(["produce", "--run-id", TestScenarios.RunId, "--dry-run"], prependVerb: false);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--out", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sending_delivers_exactly_the_dry_run_envelopes_and_prints_the_summary()
    {
        await using var ig = await StandInIg.StartAsync();
        var labels = Path.Combine(directory.FullName, "sent-labels.ndjson");
        var run = await InvokeAsync(
        [
            "--run-id", TestScenarios.RunId, "--seed", "3", "--events", "600", "--batch-size", "50", "--concurrency", "3",
            "--ig-url", ig.BaseUrl.ToString(), "--api-key", "producer-key", "--labels-out", labels,
        ]);
        var dryRun = await DryRunAsync("a", seed: 3, events: 600);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(File.ReadAllLines(dryRun.Out).Order(StringComparer.Ordinal), ig.Received.SelectMany(b => b.RawEnvelopes).Order(StringComparer.Ordinal));
        Assert.All(ig.Received, batch => Assert.InRange(batch.RawEnvelopes.Count, 2, 50));
        Assert.Matches(@"admitted\s+600\b", run.Stdout);
        Assert.Matches(@"refused\s+0\b", run.Stdout);
        Assert.Equal(File.ReadAllBytes(dryRun.Labels), File.ReadAllBytes(labels));
        Assert.DoesNotContain("producer-key", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_events_make_the_command_fail()
    {
        await using var ig = await StandInIg.StartAsync((_, _) => Answer.Problem(401, "Unauthorized"));
        var run = await InvokeAsync(
        [
            "--run-id", TestScenarios.RunId, "--events", "100", "--ig-url", ig.BaseUrl.ToString(), "--api-key", "wrong-key",
            "--labels-out", Path.Combine(directory.FullName, "labels.ndjson"),
        ]);

        Assert.Equal(ProduceRun.FailureExitCode, run.ExitCode);
        Assert.Single(ig.Received);
        Assert.Matches(@"refused\s+100\b", run.Stdout);
        Assert.Contains("HTTP 401 Unauthorized x100", run.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => directory.Delete(recursive: true);

    private async Task<(int ExitCode, string Out, string Labels, string Stdout)> DryRunAsync(string name, long seed, int events = 2_000)
    {
        var outPath = Path.Combine(directory.FullName, name, "envelopes.ndjson");
        var labels = Path.Combine(directory.FullName, name, "labels.ndjson");
        var run = await InvokeAsync(
        [
            "--run-id", TestScenarios.RunId, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--events", events.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dry-run", "--out", outPath, "--labels-out", labels,
        ]);
        return (run.ExitCode, outPath, labels, run.Stdout);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(string[] args, bool prependVerb = true) =>
        CliRun.InvokeAsync(ProduceCommand.Create(), prependVerb ? ["produce", .. args] : args);
}
