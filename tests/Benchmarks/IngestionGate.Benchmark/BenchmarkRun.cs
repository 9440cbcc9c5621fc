using System.Globalization;

namespace IngestionGate.Benchmark;

/// <summary>The settings of one benchmark run (command line of <c>run</c>).</summary>
internal sealed record BenchmarkSettings(
    Uri IdealUrl,
    Uri IgUrl,
    string PoolPath,
    string OutputPath,
    string PlatformRunId,
    string IgSource,
    IReadOnlyList<WatchedProcess> Watched,
    int? PostmasterPid,
    int ClockTicksPerSecond,
    IReadOnlyList<int> SearchConcurrency,
    TimeSpan StepDuration,
    TimeSpan ScenarioDuration,
    TimeSpan OpenLoopDuration,
    int BatchConcurrency);

/// <summary>A closed loop with <see cref="InFlight"/> requests in flight, or an open loop at <see cref="EventsPerSecond"/>.</summary>
internal sealed record LoadShape(int InFlight, double EventsPerSecond = 0)
{
    public bool IsOpen => EventsPerSecond > 0;

    public override string ToString() =>
        IsOpen ? string.Create(CultureInfo.InvariantCulture, $"open loop, {EventsPerSecond:0} ev/s") : $"closed loop, {InFlight} in flight";
}

/// <summary>One measured scenario: which gateway, what load, what it achieved and what it cost.</summary>
internal sealed record ScenarioResult(string Gateway, string Endpoint, LoadShape Load, LoadResult Result, ResourceUsage Usage);

/// <summary>
/// The benchmark, in one run: (a) the ideal gateway and (b) IG, each warmed up, then for each the single-event
/// endpoint's maximum (closed loop, concurrency doubled until two steps in a row add less than 5%), the batch endpoint with
/// 100 and 500 envelopes per request, and for IG the single-event latency at half its maximum under an open loop.
/// Every step is bounded by a deadline and a request count; a gateway process that dies stops the run.
/// </summary>
internal sealed class BenchmarkRun(BenchmarkSettings settings, EnvelopePool pool, LoadGenerator load, ProcessMeter meter, TextWriter log)
{
    public const string Ideal = "ideal";
    public const string Ig = "ig";
    public const string SingleMaximum = "single (max)";
    public const string SingleHalfMaximum = "single (½ max)";
    private const double RisingThreshold = 1.05;
    private const long MaxRequestsPerSecond = 100_000;
    private const int OpenLoopMaxInFlight = 1024;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan IdleProbe = TimeSpan.FromSeconds(3);

    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<ScenarioResult>();
        var searches = new Dictionary<string, IReadOnlyList<ScenarioResult>>();
        ScenarioResult? openLoop = null;
        meter.Start();
        await Task.Delay(IdleProbe, cancellationToken);
        var idle = meter.Stop();
        log.WriteLine($"machine busy before the run: {100 * idle.MachineBusySeconds / idle.MachineSeconds:0}%");
        foreach (var (gateway, url) in new[] { (Ideal, settings.IdealUrl), (Ig, settings.IgUrl) })
        {
            log.WriteLine($"[{gateway}] warming up ({WarmUp.TotalSeconds:0} s single + {WarmUp.TotalSeconds:0} s batch)");
            await load.ClosedLoopAsync(url, 0, 8, WarmUp, MaxRequests(WarmUp), cancellationToken);
            await load.ClosedLoopAsync(url, 100, 2, WarmUp, MaxRequests(WarmUp), cancellationToken);

            var steps = await SearchSingleMaximumAsync(gateway, url, cancellationToken);
            searches[gateway] = steps;
            var maximum = Maximum(steps) with { Endpoint = SingleMaximum };
            results.Add(maximum);
            foreach (var batchSize in new[] { 100, 500 })
            {
                results.Add(await MeasureAsync(gateway, $"batch {batchSize}", new LoadShape(settings.BatchConcurrency),
                    () => load.ClosedLoopAsync(url, batchSize, settings.BatchConcurrency, settings.ScenarioDuration, MaxRequests(settings.ScenarioDuration), cancellationToken),
                    cancellationToken));
            }

            if (gateway == Ig)
            {
                var half = maximum.Result.EventsPerSecond / 2;
                openLoop = await MeasureAsync(gateway, SingleHalfMaximum, new LoadShape(OpenLoopMaxInFlight, half),
                    () => load.OpenLoopAsync(url, half, settings.OpenLoopDuration, OpenLoopMaxInFlight, cancellationToken),
                    cancellationToken);
                results.Add(openLoop);
            }
        }

        return new BenchmarkReport(settings, results, searches, openLoop!, idle, meter.PeakResetWorks, pool.Issued);
    }

    private async Task<IReadOnlyList<ScenarioResult>> SearchSingleMaximumAsync(string gateway, Uri url, CancellationToken cancellationToken)
    {
        var steps = new List<ScenarioResult>();
        var stalled = 0;
        foreach (var concurrency in settings.SearchConcurrency)
        {
            var step = await MeasureAsync(gateway, "single", new LoadShape(concurrency),
                () => load.ClosedLoopAsync(url, 0, concurrency, settings.StepDuration, MaxRequests(settings.StepDuration), cancellationToken),
                cancellationToken);
            var best = steps.Count == 0 ? 0 : steps.Max(s => s.Result.EventsPerSecond);
            steps.Add(step);
            // Two steps in a row without a rise: one alone may be noise from whatever else the machine runs.
            stalled = steps.Count > 1 && step.Result.EventsPerSecond < best * RisingThreshold ? stalled + 1 : 0;
            if (stalled == 2)
            {
                break;
            }
        }

        return steps;
    }

    private async Task<ScenarioResult> MeasureAsync(string gateway, string endpoint, LoadShape loadShape, Func<Task<LoadResult>> run, CancellationToken cancellationToken)
    {
        if (meter.FirstDead() is { } dead)
        {
            throw new BenchmarkAbortedException($"the watched process '{dead}' is gone (see its log); no numbers are reported.");
        }

        await Task.Delay(Settle, cancellationToken);
        meter.Start();
        var result = await run();
        var usage = meter.Stop();
        var scenario = new ScenarioResult(gateway, endpoint, loadShape, result, usage);
        log.WriteLine(
            $"[{gateway}] {endpoint,-14} {loadShape,-26} {result.EventsPerSecond,9:0} ev/s  p50 {result.PercentileMs(50),7:0.0} ms  " +
            $"p99 {result.PercentileMs(99),7:0.0} ms  failed {result.FailedRequests}/{result.Requests}{(result.Missed > 0 ? $"  missed {result.Missed}" : "")}");
        if (result.FirstError is { } error)
        {
            log.WriteLine($"    first error: {error}");
        }

        return scenario;
    }

    /// <summary>
    /// The single-event maximum: the first step within 5% of the best one. Past it more requests in flight only
    /// queue longer, so its latencies are those of the maximum rather than of an ever longer queue.
    /// </summary>
    public static ScenarioResult Maximum(IReadOnlyList<ScenarioResult> steps)
    {
        var best = steps.Max(s => s.Result.EventsPerSecond);
        return steps.First(s => s.Result.EventsPerSecond * RisingThreshold >= best);
    }

    private static long MaxRequests(TimeSpan duration) => (long)(duration.TotalSeconds * MaxRequestsPerSecond);
}

/// <summary>The run cannot produce trustworthy numbers (a measured process died).</summary>
internal sealed class BenchmarkAbortedException(string message) : Exception(message);
