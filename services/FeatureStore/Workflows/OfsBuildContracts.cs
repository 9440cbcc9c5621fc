using FeatureStore.Domain;

namespace FeatureStore.Workflows;

/// <summary>What a snapshot of one replayed range holds: the keys of the archive segments it reads, frozen in an object with its digest.</summary>
public sealed record ArchiveSnapshot(ReplayRange Range, long SegmentCount, string KeysObjectRef, string KeysSha256);

public sealed record SnapshotArchiveInput(string BuildId, string PlatformRunId, ReplayRange Range);

/// <summary>The run's label timeline, frozen in an object (every assertion, also those observed after label_asof_utc, which the build counts and leaves out).</summary>
public sealed record LabelSnapshot(long LabelCount, string ObjectRef, string Sha256);

public sealed record SnapshotLabelsInput(string BuildId, string PlatformRunId);

public sealed record BuildDatasetInput(
    string BuildId,
    string PlatformRunId,
    IReadOnlyList<ArchiveSnapshot> Archives,
    LabelSnapshot Labels,
    LabelBasis LabelBasis,
    FeatureDefinitionSetRef FeatureDefinitionSet);

/// <summary>
/// The dataset's objects and counts, the scenario runs its transactions came from, and how many archive records each
/// replayed range held (in the order of the build's archives).
/// </summary>
public sealed record DatasetBuildOutput(IReadOnlyList<ContentDigest> ContentDigests, RowCounts RowCounts, IReadOnlyList<string> ScenarioRunIds, IReadOnlyList<long> ArchiveRecordCounts);

public sealed record WriteManifestInput(OfsBuildRequest Request, IReadOnlyList<ArchiveSnapshot> Archives, DatasetBuildOutput Dataset);

public sealed record ManifestRef(string DatasetManifestId, string ObjectRef, string DatasetFingerprint);

/// <summary>CompletedAtUtc comes from the workflow clock, so a retried emit carries the same fact.</summary>
public sealed record BuildCompletedInput(string BuildId, string PlatformRunId, ManifestRef Manifest, RowCounts RowCounts, DateTimeOffset CompletedAtUtc);

/// <summary>The workflow's custom status: the stage it is in and how many of its steps are done.</summary>
public sealed record OfsBuildProgress(string Stage, int StepsDone, int StepsTotal);

public sealed record OfsBuildResult(string BuildId, ManifestRef Manifest, RowCounts RowCounts);
