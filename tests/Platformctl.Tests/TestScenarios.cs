using System.Collections.Concurrent;
using Platformctl.Produce.Generation;

namespace Platformctl.Tests;

/// <summary>Generated scenarios shared by the tests (generation is deterministic, so one copy per seed is enough).</summary>
public static class TestScenarios
{
    public const string RunId = "platform_20260105T093000Z";
    public const string ScenarioId = "card_traffic_test";

    /// <summary>About a week of simulated traffic with the default parameters: enough for every campaign to recur.</summary>
    public const int WeekOfFlows = 30_000;

    private static readonly ConcurrentDictionary<(long Seed, int Count), Lazy<IReadOnlyList<GeneratedFlow>>> Cache = new();

    public static ScenarioManifest Manifest(long seed, string scenarioId = ScenarioId, ScenarioParameters? parameters = null) =>
        new(scenarioId, seed, ScenarioManifest.CurrentGeneratorVersion, parameters ?? ScenarioParameters.Default);

    public static IReadOnlyList<GeneratedFlow> Generate(ScenarioManifest manifest, int count) =>
        new ScenarioTraffic(manifest, RunId).Flows().Take(count).ToList();

    public static IReadOnlyList<GeneratedFlow> Flows(long seed, int count = WeekOfFlows) =>
        Cache.GetOrAdd((seed, count), key => new Lazy<IReadOnlyList<GeneratedFlow>>(() => Generate(Manifest(key.Seed), key.Count))).Value;

    /// <summary>A transaction's amount in USD, whatever the merchant's currency.</summary>
    public static double UsdAmount(PlannedTransaction planned) => (double)planned.Amount / planned.Merchant.Country.UnitsPerUsd;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
