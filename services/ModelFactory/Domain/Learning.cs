using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace ModelFactory.Domain;

/// <summary>A DatasetManifest named immutably: its id and its fingerprint (the content digest the id is derived from).</summary>
public sealed record DatasetManifestRef(string DatasetManifestId, string DatasetFingerprint);

/// <summary>The feature definition set a dataset was built with and a model consumes, pinned by its definition digest.</summary>
public sealed record FeatureSetRef(string FeatureSetId, string FeatureSetVersion, string DefinitionDigest);

/// <summary><c>provenance</c> of an EvalReport and a bundle (CONTRACTS §7).</summary>
public sealed record MfProvenance(string MfCodeReleaseId, string? ConfigRevision, string? RunConfigDigest, PlatformEnvironment Environment);

/// <summary>
/// The EvalReport (CONTRACTS §7, <c>learning.eval_report.v0</c>): what was trained on what, how it was split, the
/// eval-set metrics, the gate and the decision thresholds. <see cref="EvalReportId"/> = <c>er_</c> + hex32 of H(every
/// other member), so the same inputs give the same report id.
/// </summary>
public sealed record EvalReport(
    string SchemaVersion,
    string EvalReportId,
    string PlatformRunId,
    IReadOnlyList<DatasetManifestRef> DatasetManifestRefs,
    FeatureSetRef FeatureDefinitionSet,
    TrainingConfig TrainingConfig,
    string TrainingConfigDigest,
    SplitRecord Split,
    string ModelSha256,
    EvalMetrics Metrics,
    GateDecision GateDecision,
    GateResult Gate,
    DecisionPolicy Thresholds,
    MfProvenance Provenance)
{
    public const string Version = "learning.eval_report.v0";

    public static EvalReport Create(
        string platformRunId,
        IReadOnlyList<DatasetManifestRef> datasetManifestRefs,
        FeatureSetRef featureSet,
        TrainingConfig config,
        SplitRecord split,
        string modelSha256,
        EvalMetrics metrics,
        GateResult gate,
        DecisionPolicy thresholds,
        MfProvenance provenance)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var draft = new EvalReport(
            Version, string.Empty, platformRunId, datasetManifestRefs, featureSet, config, Digests.Of(config), split, modelSha256,
            metrics, gate.Decision, gate, thresholds, provenance);
        // Hashed without the id: a null member is not serialized, so H covers exactly the other members.
        return draft with { EvalReportId = "er_" + Digests.Hex32(Digests.Of(draft with { EvalReportId = null! })) };
    }
}

/// <summary>A stored object named by where it is and what it hashes to.</summary>
public sealed record ObjectRef(string ObjectKey, string Sha256);

/// <summary>The model artefact of a bundle.</summary>
public sealed record BundleModel(string ArtefactRef, string Sha256, string Format, long SizeBytes);

/// <summary>What a scorer must offer to use the bundle; resolution skips an incompatible bundle (CONTRACTS §8).</summary>
public sealed record Compatibility(
    string FeatureSetId,
    string FeatureSetVersion,
    string FeatureDefinitionDigest,
    string InputContractVersion,
    IReadOnlyList<string> RequiredCapabilities);

public sealed record EvalReportRef(string EvalReportId, string ObjectKey, string Sha256);

public sealed record BundleEvidence(IReadOnlyList<DatasetManifestRef> DatasetManifestRefs, EvalReportRef EvalReportRef);

/// <summary>
/// The bundle manifest (CONTRACTS §7, <c>learning.bundle_manifest.v0</c>). It holds no id of its own: the bundle_id
/// is H(manifest), and the manifest names the model artefact by digest, so the id covers the model too.
/// </summary>
public sealed record BundleManifest(
    string SchemaVersion,
    string BundleVersion,
    BundleModel Model,
    DecisionPolicy DecisionPolicy,
    Compatibility Compatibility,
    BundleEvidence Evidence,
    MfProvenance Provenance)
{
    public const string Version = "learning.bundle_manifest.v0";

    /// <summary>
    /// The input contract a scorer feeds the model: a float32 vector in the feature set's order, a missing value as
    /// NaN, read by an ML.NET model of <see cref="Training.ModelArtefact.Format"/>.
    /// </summary>
    public const string InputContractVersion = "mf.feature_vector.v1";

    /// <summary>The content address of the bundle: H(this manifest).</summary>
    public string BundleId() => Digests.Of(this);
}

/// <summary>Where MF writes, write-once, under the run that the training belongs to.</summary>
public static class MfKeys
{
    public static string Model(string platformRunId, string sha256) => $"{platformRunId}/mf/models/{sha256}.zip";

    public static string EvalReport(string platformRunId, string evalReportId) => $"{platformRunId}/mf/eval_reports/{evalReportId}.json";

    public static string Bundle(string platformRunId, string bundleId) => $"{platformRunId}/mf/bundles/{bundleId}.json";
}
