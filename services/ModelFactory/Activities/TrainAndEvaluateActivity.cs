using Dapr.Workflow;
using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using ModelFactory.Training;
using ModelFactory.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace ModelFactory.Activities;

/// <summary>
/// Reads the verified datasets (each object checked against its manifest digest), runs the training pipeline, and
/// writes, write-once, the EvalReport (PASS or FAIL: both are evidence) and, on PASS only, the model artefact. The
/// same inputs give the same bytes, so a retried activity rewrites nothing.
/// </summary>
public sealed class TrainAndEvaluateActivity(IObjectStore store, PlatformRuntime runtime, LoadedGateProfile gate) : WorkflowActivity<TrainInput, TrainOutput>
{
    public const string JsonContentType = "application/json";
    public const string ModelContentType = "application/zip";

    public override async Task<TrainOutput> RunAsync(WorkflowActivityContext context, TrainInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var set = input.Manifests[0].FeatureSet;
        var featureSet = FeatureSetCatalog.Find(set.FeatureSetId, set.FeatureSetVersion, set.DefinitionDigest)
            ?? throw new InvalidOperationException($"Feature set {set.FeatureSetId}/{set.FeatureSetVersion} is not implemented.");
        var parts = new List<TrainingDataset>();
        foreach (var item in input.Manifests.SelectMany(m => m.Objects))
        {
            var bytes = await store.GetAsync(item.ObjectRef, CancellationToken.None)
                ?? throw new InvalidDataException($"Dataset object {item.ObjectRef} is missing.");
            if (Digests.Sha256Hex(bytes) != item.Sha256)
            {
                throw new InvalidDataException($"Dataset object {item.ObjectRef} does not hash to its manifest digest.");
            }

            using var stream = new MemoryStream(bytes, writable: false);
            parts.Add(await DatasetParquetReader.ReadAsync(featureSet, stream, CancellationToken.None));
        }

        var provenance = runtime.ProvenanceFor(runConfigDigest: null);
        var request = input.Request;
        var outcome = TrainingPipeline.Run(new TrainingInputs(
            request.PlatformRunId,
            TrainingDataset.Concat(parts),
            request.DatasetManifestRefs,
            request.TrainingConfig,
            gate.Profile,
            gate.Digest,
            request.BundleVersion,
            new MfProvenance(provenance.ServiceReleaseId, provenance.ConfigRevision, provenance.RunConfigDigest, provenance.Environment)));

        var reportKey = MfKeys.EvalReport(request.PlatformRunId, outcome.EvalReport.EvalReportId);
        await store.CreateIfAbsentAsync(reportKey, outcome.EvalReportJson, JsonContentType, CancellationToken.None);
        if (outcome.Bundle is not null)
        {
            await store.CreateIfAbsentAsync(outcome.Bundle.Model.ArtefactRef, outcome.Model.Bytes, ModelContentType, CancellationToken.None);
        }

        return new TrainOutput(
            new EvalReportRef(outcome.EvalReport.EvalReportId, reportKey, Digests.Sha256Hex(outcome.EvalReportJson.Span)),
            outcome.EvalReport.GateDecision,
            outcome.Model.Sha256,
            outcome.Bundle,
            outcome.BundleId);
    }
}
