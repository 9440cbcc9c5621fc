using System.Globalization;
using System.Text;

namespace IngestionGate.Benchmark;

/// <summary>The Markdown report: one table of every measured scenario, then the search steps, the ratios and the targets.</summary>
internal sealed record BenchmarkReport(
    BenchmarkSettings Settings,
    IReadOnlyList<ScenarioResult> Results,
    IReadOnlyDictionary<string, IReadOnlyList<ScenarioResult>> Searches,
    ScenarioResult OpenLoop,
    ResourceUsage BeforeRun,
    bool PeakResetWorks,
    long EnvelopesIssued)
{
    public const double BatchRatioTarget = 0.5;
    public const double OpenLoopP99TargetMs = 25;

    // Processes whose CPU is the gateways' cost (everything but the load generator).
    private static readonly string[] ServerSide = [BenchmarkRun.Ideal, BenchmarkRun.Ig, "sidecar", ProcessMeter.Postgres, "s3rver"];

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line($"### IG benchmark: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores ({CpuModel()}), platform_run_id `{Settings.PlatformRunId}`");
        Line();
        Line($"IG build: Release, {Settings.IgSource}. Machine busy before the run, gateways idle: {100 * BeforeRun.MachineBusySeconds / BeforeRun.MachineSeconds:0}%.");
        Line();
        Line("| Gateway | Endpoint | Load | Events/s | p50 ms | p99 ms | Failed req | CPU cores: gateway / sidecar / postgres / s3rver | Load gen CPU | Machine busy (other processes, cores) | Server CPU ms per 1k events | Peak RSS MiB: gateway / sidecar |");
        Line("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in Results)
        {
            Line(Row(r));
        }

        Line();
        foreach (var (gateway, steps) in Searches)
        {
            var best = steps.MaxBy(s => s.Result.EventsPerSecond)!;
            var maximum = BenchmarkRun.Maximum(steps);
            Line($"- {Label(gateway)} single-event maximum (closed loop, requests in flight doubled up to {Settings.SearchConcurrency[^1]}, stopping after two steps in a row that added less than 5%; " +
                 $"the maximum is the first step within 5% of the best): **{maximum.Result.EventsPerSecond:0} events/s** at {maximum.Load.InFlight} in flight " +
                 $"(best {best.Result.EventsPerSecond:0} at {best.Load.InFlight}); events/s by requests in flight: " +
                 string.Join(", ", steps.Select(s => $"{s.Load.InFlight} → {s.Result.EventsPerSecond:0}")) +
                 (steps[^1] == best && steps.Count == Settings.SearchConcurrency.Count ? " (still rising at the last step: the maximum may be higher)." : "."));
        }

        foreach (var batch in new[] { "batch 100", "batch 500" })
        {
            var ideal = Find(BenchmarkRun.Ideal, batch);
            var ig = Find(BenchmarkRun.Ig, batch);
            var ratio = ig.Result.EventsPerSecond / ideal.Result.EventsPerSecond;
            Line($"- Ratio (b)/(a), {batch}: {ig.Result.EventsPerSecond:0} / {ideal.Result.EventsPerSecond:0} = **{ratio:0.00}** " +
                 $"(target ≥ {BatchRatioTarget:0.0}: {(ratio >= BatchRatioTarget ? "met" : "NOT met")}).");
        }

        var singleRatio = Find(BenchmarkRun.Ig, BenchmarkRun.SingleMaximum).Result.EventsPerSecond / Find(BenchmarkRun.Ideal, BenchmarkRun.SingleMaximum).Result.EventsPerSecond;
        Line($"- Ratio (b)/(a), single-event maxima: **{singleRatio:0.00}** (no target).");
        var open = OpenLoop.Result;
        var p99 = open.PercentileMs(99);
        Line($"- IG single-event at half of its maximum ({OpenLoop.Load.EventsPerSecond:0} requests/s, open loop for {Settings.OpenLoopDuration.TotalSeconds:0} s, latency counted from each request's due time): " +
             $"{open.EventsPerSecond:0} events/s admitted, p50 {open.PercentileMs(50):0.0} ms, **p99 {p99:0.0} ms** " +
             $"(target ≤ {OpenLoopP99TargetMs:0} ms: {(p99 <= OpenLoopP99TargetMs && open.FailedRequests == 0 && open.Missed == 0 ? "met" : "NOT met")}); " +
             $"failed {open.FailedRequests}, not sent (over {open.Requests + open.Missed} due) {open.Missed}.");
        Line($"- Load: envelopes from `platformctl produce --dry-run` ({EnvelopesIssued} sent in all, each event_id made unique, so every event is new); " +
             $"HttpClient with keep-alive from the benchmark process; every gateway on 127.0.0.1 with the shared local backends; " +
             $"batch requests {Settings.BatchConcurrency} in flight for {Settings.ScenarioDuration.TotalSeconds:0} s, search steps {Settings.StepDuration.TotalSeconds:0} s each.");
        Line("- CPU: utime+stime from /proc/<pid>/stat over each scenario, in cores (CPU-seconds per second); postgres = the backends serving the " +
             "gateways' and the sidecar's connections (the harness keeps IG's state and its Kinesis stand-in there); s3rver (receipts) is shared " +
             "with anything else using the local backends; machine busy from /proc/stat over all cores; \"other processes\" is what the machine " +
             "spent beyond every watched process and the load generator (builds and tests of other work on the same machine, other PostgreSQL clients).");
        Line($"- Peak RSS: VmHWM from /proc/<pid>/status, {(PeakResetWorks ? "reset before each scenario (clear_refs)" : "since the process started (clear_refs was refused)")}.");
        return text.ToString();
    }

    private static string Row(ScenarioResult r)
    {
        var result = r.Result;
        var usage = r.Usage;
        var seconds = result.Seconds;
        var sidecar = r.Gateway == BenchmarkRun.Ig;
        string Cores(string name) => usage.CpuSeconds.TryGetValue(name, out var cpu) ? (cpu / seconds).ToString("0.00", CultureInfo.InvariantCulture) : "?";
        string Mib(string name) => usage.PeakRssKiB.TryGetValue(name, out var kib) ? (kib / 1024.0).ToString("0", CultureInfo.InvariantCulture) : "?";
        var serverCpu = ServerSide.Where(name => sidecar ? name != BenchmarkRun.Ideal : name is not (BenchmarkRun.Ig or "sidecar"))
            .Sum(name => usage.CpuSeconds.GetValueOrDefault(name));
        var perThousand = result.EventsAdmitted > 0 ? (serverCpu * 1000 * 1000 / result.EventsAdmitted).ToString("0", CultureInfo.InvariantCulture) : "–";
        var failed = result.Missed > 0 ? $"{result.FailedRequests} (+{result.Missed} not sent)" : result.FailedRequests.ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Label(r.Gateway)} | {r.Endpoint} | {r.Load} | {result.EventsPerSecond:0} | {result.PercentileMs(50):0.0} | {result.PercentileMs(99):0.0} | {failed} " +
            $"| {Cores(r.Gateway)} / {(sidecar ? Cores("sidecar") : "–")} / {Cores(ProcessMeter.Postgres)} / {Cores("s3rver")} | {Cores("loadgen")} " +
            $"| {100 * usage.MachineBusySeconds / usage.MachineSeconds:0}% ({Math.Max(0, usage.MachineBusySeconds - usage.CpuSeconds.Values.Sum()) / seconds:0.00}) | {perThousand} | {Mib(r.Gateway)} / {(sidecar ? Mib("sidecar") : "–")} |");
    }

    private ScenarioResult Find(string gateway, string endpoint) =>
        Results.Single(r => r.Gateway == gateway && r.Endpoint == endpoint);

    private static string Label(string gateway) => gateway == BenchmarkRun.Ideal ? "(a) ideal" : "(b) IG + sidecar";

    private static string CpuModel()
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
