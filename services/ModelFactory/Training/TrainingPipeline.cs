using ModelFactory.Domain;
using Platform.Substrate.Pinning;

namespace ModelFactory.Training;

/// <summary>The inputs of one training run: verified datasets, their refs, the config and the gate profile.</summary>
public sealed record TrainingInputs(
    string PlatformRunId,
    TrainingDataset Dataset,
    IReadOnlyList<DatasetManifestRef> DatasetManifestRefs,
    TrainingConfig Config,
    GateProfile GateProfile,
    string GateProfileDigest,
    string BundleVersion,
    MfProvenance Provenance);

/// <summary>
/// What a training run produced. The EvalReport always exists (a FAIL is evidence too); the bundle only on PASS.
/// <see cref="EvalReportJson"/> is the canonical JSON stored for the report, <see cref="BundleJson"/> the manifest's.
/// </summary>
public sealed record TrainingOutcome(
    ModelArtefact Model,
    EvalReport EvalReport,
    ReadOnlyMemory<byte> EvalReportJson,
    BundleManifest? Bundle,
    string? BundleId,
    ReadOnlyMemory<byte> BundleJson);

/// <summary>split → train → score the eval rows → metrics → gate → thresholds → EvalReport → bundle (PASS only).</summary>
public static class TrainingPipeline
{
    public static TrainingOutcome Run(TrainingInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var problems = inputs.Config.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid training config: " + string.Join("; ", problems), nameof(inputs));
        }

        var (train, eval, split) = TimeSplit.Split(inputs.Dataset, inputs.Config.TrainFraction);
        if (split.TrainPositives == 0 || split.TrainPositives == split.TrainRows || split.EvalPositives == 0 || split.EvalPositives == split.EvalRows)
        {
            throw new ArgumentException("Both the train and the eval rows need positives and negatives.", nameof(inputs));
        }

        var model = FastTreeModel.Train(train, inputs.Config);
        var scores = FastTreeModel.Score(model, eval);
        var labels = Enumerable.Range(0, eval.Count).Select(eval.Label).ToArray();
        var metrics = Metrics.Compute(labels, scores, inputs.Config.K, inputs.Config.CalibrationBins);
        var gate = GateResult.Evaluate(inputs.GateProfile, inputs.GateProfileDigest, metrics, split);
        var thresholds = DecisionPolicy.Choose(labels, scores, inputs.Config.DeclinePrecisionTarget, inputs.Config.StepUpRecallTarget);
        var featureSet = inputs.Dataset.FeatureSet;
        var featureSetRef = new FeatureSetRef(featureSet.FeatureSetId, featureSet.FeatureSetVersion, featureSet.DefinitionDigest);
        var report = EvalReport.Create(
            inputs.PlatformRunId, inputs.DatasetManifestRefs, featureSetRef, inputs.Config, split, model.Sha256, metrics, gate, thresholds, inputs.Provenance);
        var reportJson = CanonicalJson.Serialize(report);
        if (gate.Decision != GateDecision.Pass)
        {
            return new TrainingOutcome(model, report, reportJson, null, null, ReadOnlyMemory<byte>.Empty);
        }

        var bundle = new BundleManifest(
            BundleManifest.Version,
            inputs.BundleVersion,
            new BundleModel(MfKeys.Model(inputs.PlatformRunId, model.Sha256), model.Sha256, ModelArtefact.Format, model.Bytes.Length),
            thresholds,
            new Compatibility(featureSetRef.FeatureSetId, featureSetRef.FeatureSetVersion, featureSetRef.DefinitionDigest, BundleManifest.InputContractVersion, [ModelArtefact.Format]),
            new BundleEvidence(
                inputs.DatasetManifestRefs,
                new EvalReportRef(report.EvalReportId, MfKeys.EvalReport(inputs.PlatformRunId, report.EvalReportId), Digests.Sha256Hex(reportJson))),
            inputs.Provenance);
        return new TrainingOutcome(model, report, reportJson, bundle, bundle.BundleId(), CanonicalJson.Serialize(bundle));
    }
}
