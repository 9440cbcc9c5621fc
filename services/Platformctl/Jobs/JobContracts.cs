using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace Platformctl.Jobs;

// The job endpoints' wire contracts as the CLI sends and reads them (snake_case through PlatformJson). They mirror
// ofs's Domain/OfsBuildRequest.cs and mf's Domain/MfTrainRequest.cs + TrainingConfig.cs; the CLI does not reference
// the services, so a change there is made here too.

/// <summary>One replayed range of a run's archive: archive offsets, both inclusive.</summary>
public sealed record ReplayRange(string Stream, string OffsetKind, string StartOffset, string EndOffset)
{
    public const string ArchiveKey = "archive_key";
}

/// <summary><c>label_basis{label_asof_utc, resolution_rule, maturity_days}</c> (CONTRACTS §7).</summary>
public sealed record LabelBasis(
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset LabelAsofUtc,
    string ResolutionRule,
    int MaturityDays)
{
    public const string FraudPositiveElseMatureNegativeV0 = "fraud_positive_else_mature_negative.v0";
}

/// <summary>The feature definition set a build is pinned to: id, version and the definition digest.</summary>
public sealed record FeatureDefinitionSetRef(string FeatureSetId, string FeatureSetVersion, string DefinitionDigest);

/// <summary><c>POST /v1/jobs/ofs-builds</c>: every input pinned, nothing resolved later.</summary>
public sealed record OfsBuildRequest(
    string PlatformRunId,
    IReadOnlyList<ReplayRange> ReplayBasis,
    LabelBasis LabelBasis,
    FeatureDefinitionSetRef FeatureDefinitionSet,
    string OfsCodeReleaseId);

/// <summary>A DatasetManifest named immutably: its id and its fingerprint.</summary>
public sealed record DatasetManifestRef(string DatasetManifestId, string DatasetFingerprint);

/// <summary>The registry scope a bundle is trained for (CONTRACTS §8).</summary>
public sealed record ScopeKey(string Environment, string Mode, string BundleSlot, string? TenantId = null);

/// <summary>Everything that shapes a training run besides the data; the server refuses an incomplete one.</summary>
public sealed record TrainingConfig(
    double TrainFraction,
    int Seed,
    int NumberOfTrees,
    int NumberOfLeaves,
    int MinimumExampleCountPerLeaf,
    double LearningRate,
    int K,
    int CalibrationBins,
    double DeclinePrecisionTarget,
    double StepUpRecallTarget)
{
    /// <summary>mf's default config, sent in full so the request pins every value.</summary>
    public static TrainingConfig Default { get; } = new(0.8, 42, 100, 20, 10, 0.1, 100, 10, 0.9, 0.8);
}

/// <summary><c>POST /v1/jobs/mf-trains</c> (<c>mf.train_request.v0</c>).</summary>
public sealed record MfTrainRequest(
    string SchemaVersion,
    string PlatformRunId,
    IReadOnlyList<DatasetManifestRef> DatasetManifestRefs,
    TrainingConfig TrainingConfig,
    ScopeKey TargetScopeKey,
    string BundleVersion)
{
    public const string Version = "mf.train_request.v0";
}

/// <summary>A job's progress as its workflow reports it.</summary>
public sealed record JobProgress(string Stage, int StepsDone, int StepsTotal);

/// <summary><c>GET /v1/jobs/{job_id}</c> on ofs and mf: status, progress, and the result once COMPLETED.</summary>
public sealed record JobStatus(string JobId, string Status, JobProgress? Progress, JsonElement? Result, string? Failure)
{
    public const string Completed = "COMPLETED";

    /// <summary>Statuses after which nothing changes any more; all but COMPLETED are failures.</summary>
    public static readonly IReadOnlySet<string> Terminal = new HashSet<string>(StringComparer.Ordinal) { Completed, "FAILED", "TERMINATED", "CANCELED" };

    public bool IsTerminal => Terminal.Contains(Status);
}
