using ModelFactory.Domain;
using ModelFactory.Training;
using Platform.Substrate.Pinning;
using Xunit.Abstractions;

namespace ModelFactory.Tests.Training;

public sealed class TrainingPipelineTests(TrainedRuns runs, ITestOutputHelper output) : IClassFixture<TrainedRuns>
{
    [Fact]
    public void A_dataset_with_a_real_signal_trains_well_above_chance_and_passes_the_gate()
    {
        var report = runs.First.EvalReport;
        var m = report.Metrics;
        output.WriteLine(
            $"rows={TrainedRuns.Rows} train={report.Split.TrainRows} eval={report.Split.EvalRows} train_s={runs.FirstElapsed.TotalSeconds:F2} "
            + $"auc={m.AucRoc:F4} pr_auc={m.PrAuc:F4} base_rate={m.BaseRate:F4} p@{m.K}={m.PrecisionAtK:F3} r@{m.K}={m.RecallAtK:F3} "
            + $"log_loss={m.LogLoss:F4} ece={m.Calibration.ExpectedCalibrationError:F4} brier={m.Calibration.BrierScore:F4} "
            + $"step_up_at={report.Thresholds.StepUpAt:F4} decline_at={report.Thresholds.DeclineAt:F4}");

        Assert.True(m.AucRoc > 0.75, $"AUC {m.AucRoc}");
        Assert.True(m.PrAuc > 2 * m.BaseRate, $"PR-AUC {m.PrAuc} vs base rate {m.BaseRate}");
        Assert.Equal(GateDecision.Pass, report.GateDecision);
        Assert.NotNull(runs.First.Bundle);
    }

    [Fact]
    public void Shuffled_labels_leave_nothing_to_learn_and_the_gate_fails_without_a_bundle()
    {
        var report = runs.Shuffled.EvalReport;
        output.WriteLine($"shuffled auc={report.Metrics.AucRoc:F4} pr_auc={report.Metrics.PrAuc:F4} log_loss={report.Metrics.LogLoss:F4}");

        Assert.InRange(report.Metrics.AucRoc, 0.4, 0.6);
        Assert.Equal(GateDecision.Fail, report.GateDecision);
        Assert.Contains(report.Gate.Checks, c => c.Check == "auc_roc" && !c.Passed);
        Assert.Null(runs.Shuffled.Bundle);
        Assert.Null(runs.Shuffled.BundleId);
        Assert.True(runs.Shuffled.BundleJson.IsEmpty);
    }

    [Fact]
    public void The_same_data_and_config_give_a_byte_identical_model_the_same_metrics_and_the_same_bundle_id()
    {
        Assert.True(runs.First.Model.Bytes.Span.SequenceEqual(runs.Second.Model.Bytes.Span));
        Assert.Equal(runs.First.Model.Sha256, runs.Second.Model.Sha256);
        Assert.Equal(runs.First.EvalReport.Metrics, runs.Second.EvalReport.Metrics, MetricsComparer.Instance);
        Assert.True(runs.First.EvalReportJson.Span.SequenceEqual(runs.Second.EvalReportJson.Span));
        Assert.Equal(runs.First.EvalReport.EvalReportId, runs.Second.EvalReport.EvalReportId);
        Assert.Equal(runs.First.BundleId, runs.Second.BundleId);
        Assert.True(runs.First.BundleJson.Span.SequenceEqual(runs.Second.BundleJson.Span));
    }

    [Fact]
    public void The_artefact_zip_carries_no_wall_clock_so_a_later_run_gives_the_same_bytes()
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(runs.First.Model.Bytes.ToArray()), System.IO.Compression.ZipArchiveMode.Read);

        Assert.NotEmpty(zip.Entries);
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(1980, 1, 1), e.LastWriteTime.DateTime));
    }

    [Fact]
    public void The_bundle_is_content_addressed_and_names_the_model_and_the_eval_report_by_digest()
    {
        var outcome = runs.First;
        var bundle = outcome.Bundle!;

        Assert.Equal(Digests.Sha256Hex(outcome.BundleJson.Span), outcome.BundleId);
        Assert.Equal(Digests.Sha256Hex(outcome.Model.Bytes.Span), bundle.Model.Sha256);
        Assert.Equal(MfKeys.Model(TrainedRuns.PlatformRunId, outcome.Model.Sha256), bundle.Model.ArtefactRef);
        Assert.Equal(outcome.Model.Bytes.Length, bundle.Model.SizeBytes);
        Assert.Equal(Digests.Sha256Hex(outcome.EvalReportJson.Span), bundle.Evidence.EvalReportRef.Sha256);
        Assert.Equal(outcome.EvalReport.EvalReportId, bundle.Evidence.EvalReportRef.EvalReportId);
        Assert.Equal(TrainedRuns.ManifestRefs, bundle.Evidence.DatasetManifestRefs);
        Assert.Equal((runs.Signal.FeatureSet.FeatureSetId, runs.Signal.FeatureSet.FeatureSetVersion, runs.Signal.FeatureSet.DefinitionDigest),
            (bundle.Compatibility.FeatureSetId, bundle.Compatibility.FeatureSetVersion, bundle.Compatibility.FeatureDefinitionDigest));
        Assert.Equal(outcome.EvalReport.Thresholds, bundle.DecisionPolicy);
        Assert.Equal(TrainedRuns.Provenance, bundle.Provenance);

        // Stored forms are already canonical JSON (RFC 8785), so anyone re-hashing them gets the same digests.
        Assert.True(CanonicalJson.Canonicalize(outcome.BundleJson).AsSpan().SequenceEqual(outcome.BundleJson.Span));
        Assert.True(CanonicalJson.Canonicalize(outcome.EvalReportJson).AsSpan().SequenceEqual(outcome.EvalReportJson.Span));

        // Any change to what the manifest says is a different bundle.
        Assert.NotEqual(outcome.BundleId, (bundle with { BundleVersion = "2" }).BundleId());
    }

    [Fact]
    public void The_report_records_the_split_the_seed_the_gate_profile_and_the_model_digest()
    {
        var report = runs.First.EvalReport;

        Assert.Equal(TrainingConfig.Default, report.TrainingConfig);
        Assert.Equal(Digests.Of(TrainingConfig.Default), report.TrainingConfigDigest);
        Assert.Equal(runs.First.Model.Sha256, report.ModelSha256);
        Assert.Equal(runs.ProfileDigest, report.Gate.ProfileDigest);
        Assert.Equal(TrainedRuns.Rows, report.Split.TrainRows + report.Split.EvalRows);
        Assert.Equal(report.Split.EvalRows, report.Metrics.Rows);
        Assert.Equal("er_" + Digests.Hex32(Digests.Of(report with { EvalReportId = null! })), report.EvalReportId);
    }

    [Fact]
    public void The_stored_artefact_scores_the_eval_rows_exactly_as_during_evaluation()
    {
        var (_, eval, _) = TimeSplit.Split(runs.Signal, TrainingConfig.Default.TrainFraction);
        var scores = FastTreeModel.Score(runs.First.Model, eval);
        var labels = Enumerable.Range(0, eval.Count).Select(eval.Label).ToArray();

        Assert.Equal(runs.First.EvalReport.Metrics.AucRoc, Metrics.AucRoc(labels, scores));
        Assert.Equal(runs.First.EvalReport.Metrics.LogLoss, Metrics.LogLoss(labels, scores));
    }

    [Fact]
    public void A_different_config_is_a_different_model_and_report()
    {
        var config = TrainingConfig.Default with { NumberOfTrees = 10 };
        var small = Synthetic.WithSignal(3_000, TrainedRuns.Seed);

        var a = TrainingPipeline.Run(runs.Inputs(small) with { Config = config });
        var b = TrainingPipeline.Run(runs.Inputs(small) with { Config = config with { LearningRate = 0.2 } });

        Assert.NotEqual(a.EvalReport.TrainingConfigDigest, b.EvalReport.TrainingConfigDigest);
        Assert.NotEqual(a.Model.Sha256, b.Model.Sha256);
        Assert.NotEqual(a.EvalReport.EvalReportId, b.EvalReport.EvalReportId);
    }

    [Fact]
    public void An_invalid_config_or_a_split_without_both_classes_is_refused_before_training()
    {
        Assert.Throws<ArgumentException>(() => TrainingPipeline.Run(runs.Inputs(runs.Signal) with { Config = TrainingConfig.Default with { TrainFraction = 1.5 } }));
        var allNegative = Synthetic.Dataset([.. Enumerable.Range(0, 50).Select(i => Synthetic.Row($"e{i}", i, false))]);
        Assert.Throws<ArgumentException>(() => TrainingPipeline.Run(runs.Inputs(allNegative)));
    }

    /// <summary>Records with list members compare lists by reference; metrics compare by value here.</summary>
    private sealed class MetricsComparer : IEqualityComparer<EvalMetrics>
    {
        public static readonly MetricsComparer Instance = new();

        public bool Equals(EvalMetrics? x, EvalMetrics? y) =>
            x is not null && y is not null
            && (x with { Calibration = null! }) == (y with { Calibration = null! })
            && (x.Calibration.BinCount, x.Calibration.ExpectedCalibrationError, x.Calibration.BrierScore)
                == (y.Calibration.BinCount, y.Calibration.ExpectedCalibrationError, y.Calibration.BrierScore)
            && x.Calibration.Bins.SequenceEqual(y.Calibration.Bins);

        public int GetHashCode(EvalMetrics obj) => obj.AucRoc.GetHashCode();
    }
}
