using ModelFactory.Domain;

namespace ModelFactory.Workflows;

/// <summary>The verified DatasetManifests of a job, or why they were refused (a refusal is final, not retried).</summary>
public sealed record ManifestCheck(IReadOnlyList<VerifiedManifest> Manifests, string? Problem);

public sealed record TrainInput(string JobId, MfTrainRequest Request, IReadOnlyList<VerifiedManifest> Manifests);

/// <summary>
/// What the train-and-evaluate activity left in the store (the EvalReport always; the model only on PASS) and the
/// bundle manifest to publish on PASS. Small on purpose: datasets and model bytes never pass through workflow history.
/// </summary>
public sealed record TrainOutput(EvalReportRef EvalReport, GateDecision GateDecision, string ModelSha256, BundleManifest? Bundle, string? BundleId);

public sealed record PublishBundleInput(string JobId, string PlatformRunId, ScopeKey TargetScopeKey, BundleManifest Bundle, string BundleId, DateTimeOffset PublishedAtUtc);

/// <summary>Where a published bundle is: its id and object key.</summary>
public sealed record BundleRef(string BundleId, string BundleVersion, string ObjectKey);

public sealed record TrainCompletedInput(string JobId, MfTrainRequest Request, TrainOutput Output, BundleRef? Bundle, DateTimeOffset CompletedAtUtc);

/// <summary>The workflow's custom status.</summary>
public sealed record MfTrainProgress(string Stage, int StepsDone, int StepsTotal);

/// <summary>The job's result: REFUSED (inputs did not verify), or the gate decision with the evidence and bundle refs.</summary>
public sealed record MfTrainResult(string JobId, string Outcome, EvalReportRef? EvalReport, BundleRef? Bundle, string? Problem)
{
    public const string Refused = "REFUSED";
}
