using Platformctl.Produce.Generation;

namespace Platformctl.Tests;

public sealed class DeterminismTests
{
    private const int Flows = 3_000;

    [Fact]
    public void Same_seed_scenario_and_generator_give_byte_identical_streams()
    {
        var first = Bytes(TestScenarios.Generate(TestScenarios.Manifest(7), Flows));
        var second = Bytes(TestScenarios.Generate(TestScenarios.Manifest(7), Flows));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Another_seed_gives_another_stream_with_other_event_ids()
    {
        var seven = TestScenarios.Generate(TestScenarios.Manifest(7), Flows);
        var eight = TestScenarios.Generate(TestScenarios.Manifest(8), Flows);

        Assert.NotEqual(Bytes(seven), Bytes(eight));
        Assert.Empty(EventIds(seven).Intersect(EventIds(eight)));
        Assert.NotEqual(seven[0].Anchor.ScenarioRunId, eight[0].Anchor.ScenarioRunId);
    }

    [Fact]
    public void Another_scenario_id_or_parameter_changes_every_event_id()
    {
        var baseline = EventIds(TestScenarios.Generate(TestScenarios.Manifest(7), 500)).ToHashSet();
        var renamed = TestScenarios.Generate(TestScenarios.Manifest(7, "another_scenario"), 500);
        var resized = TestScenarios.Generate(TestScenarios.Manifest(7, parameters: ScenarioParameters.Default with { Accounts = 3000 }), 500);

        Assert.DoesNotContain(EventIds(renamed), baseline.Contains);
        Assert.DoesNotContain(EventIds(resized), baseline.Contains);
        // scenario_run_id depends only on seed, scenario_id and generator version (CONTRACTS §1).
        Assert.Equal(TestScenarios.Manifest(7).ScenarioRunId(), resized[0].Transaction.ScenarioRunId);
        Assert.NotEqual(TestScenarios.Manifest(7).ManifestFingerprint(), resized[0].Transaction.ManifestFingerprint);
    }

    [Fact]
    public void A_shorter_run_is_a_prefix_of_a_longer_one()
    {
        var shorter = Bytes(TestScenarios.Generate(TestScenarios.Manifest(7), 1_000));
        var longer = Bytes(TestScenarios.Generate(TestScenarios.Manifest(7), Flows));

        Assert.Equal(shorter, longer[..shorter.Length]);
    }

    private static byte[] Bytes(IEnumerable<GeneratedFlow> flows) =>
        flows.SelectMany(f => f.Anchor.ToCanonicalJson().Append((byte)'\n').Concat(f.Transaction.ToCanonicalJson()).Append((byte)'\n')).ToArray();

    private static IEnumerable<string> EventIds(IEnumerable<GeneratedFlow> flows) =>
        flows.SelectMany(f => new[] { f.Anchor.EventId, f.Transaction.EventId });
}
