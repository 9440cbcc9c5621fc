using ModelFactory.Domain;
using Platform.Testing;

namespace ModelFactory.Tests.Domain;

public sealed class GateTests
{
    private static readonly (GateProfile Profile, string Digest) Shipped = GateProfile.Load(SchemaContract.SchemasDirectory);

    private static readonly SplitRecord Split = new(0.8, "2026-11-01T00:00:00.000000Z", 800, 80, 200, 25);

    [Fact]
    public void Metrics_within_every_bound_pass()
    {
        var gate = GateResult.Evaluate(Shipped.Profile, Shipped.Digest, Good(), Split);

        Assert.Equal(GateDecision.Pass, gate.Decision);
        Assert.All(gate.Checks, c => Assert.True(c.Passed, c.Check));
        Assert.Equal((Shipped.Profile.ProfileId, Shipped.Profile.ProfileVersion, Shipped.Digest), (gate.ProfileId, gate.ProfileVersion, gate.ProfileDigest));
    }

    [Fact]
    public void One_metric_out_of_bounds_fails_and_names_the_check()
    {
        var weak = Good() with { AucRoc = Shipped.Profile.MinAucRoc - 0.01 };

        var gate = GateResult.Evaluate(Shipped.Profile, Shipped.Digest, weak, Split);

        Assert.Equal(GateDecision.Fail, gate.Decision);
        Assert.Equal(["auc_roc"], gate.Checks.Where(c => !c.Passed).Select(c => c.Check));
    }

    [Fact]
    public void Too_few_positives_and_a_poor_calibration_fail()
    {
        var metrics = Good() with { Positives = Shipped.Profile.MinEvalPositives - 1 };
        metrics = metrics with { Calibration = metrics.Calibration with { ExpectedCalibrationError = Shipped.Profile.MaxExpectedCalibrationError + 0.01 } };

        var gate = GateResult.Evaluate(Shipped.Profile, Shipped.Digest, metrics, Split with { TrainPositives = 0 });

        Assert.Equal(
            ["train_positives", "eval_positives", "expected_calibration_error"],
            gate.Checks.Where(c => !c.Passed).Select(c => c.Check));
    }

    [Fact]
    public void A_metric_that_is_not_a_number_fails_its_check()
    {
        var gate = GateResult.Evaluate(Shipped.Profile, Shipped.Digest, Good() with { LogLoss = double.NaN }, Split);
        Assert.Equal(GateDecision.Fail, gate.Decision);
    }

    [Fact]
    public void The_profile_digest_is_the_hash_of_its_canonical_json_and_changes_with_any_bound()
    {
        var text = File.ReadAllText(Path.Combine(SchemaContract.SchemasDirectory, "mf", GateProfile.FileName));
        var reformatted = GateProfile.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("\n", "\n  ", StringComparison.Ordinal)));
        var changed = GateProfile.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("\"min_auc_roc\": 0.7", "\"min_auc_roc\": 0.71", StringComparison.Ordinal)));

        Assert.Equal(Shipped.Digest, reformatted.Digest);
        Assert.NotEqual(Shipped.Digest, changed.Digest);
        Assert.Equal(0.71, changed.Profile.MinAucRoc);
    }

    [Fact]
    public void A_profile_with_unknown_or_missing_members_is_refused()
    {
        var text = File.ReadAllText(Path.Combine(SchemaContract.SchemasDirectory, "mf", GateProfile.FileName));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => GateProfile.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("\"min_pr_auc\"", "\"min_prauc\"", StringComparison.Ordinal))));
        Assert.ThrowsAny<FormatException>(() => GateProfile.Parse(System.Text.Encoding.UTF8.GetBytes(text.Replace("mf.gate_profile.v0", "mf.gate_profile.v9", StringComparison.Ordinal))));
    }

    private static EvalMetrics Good() => new(
        200, 25, 0.125, 0.9, 0.6, 100, 0.2, 0.8, 0.3, new Calibration(10, 0.02, 0.08, []));
}
