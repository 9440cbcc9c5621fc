using System.Text.RegularExpressions;
using Platform.Substrate.Pinning;

namespace ModelFactory.Domain;

/// <summary>The registry scope a bundle is trained for (CONTRACTS §8): canonical string <c>env|mode|slot|tenant</c>.</summary>
public sealed record ScopeKey(string Environment, string Mode, string BundleSlot, string? TenantId = null)
{
    public override string ToString() => $"{Environment}|{Mode}|{BundleSlot}|{TenantId}";
}

/// <summary>
/// <c>POST /v1/jobs/mf-trains</c> (<c>mf.train_request.v0</c>): every input named immutably: DatasetManifests by id
/// and fingerprint, the full training config, the target ScopeKey and the bundle version to publish under.
/// </summary>
public sealed record MfTrainRequest(
    string SchemaVersion,
    string PlatformRunId,
    IReadOnlyList<DatasetManifestRef> DatasetManifestRefs,
    TrainingConfig TrainingConfig,
    ScopeKey TargetScopeKey,
    string BundleVersion)
{
    public const string Version = "mf.train_request.v0";

    /// <summary>H(request): the same request is the same job.</summary>
    public string RequestDigest() => Digests.Of(this);

    /// <summary>The workflow instance id: <c>mft_</c> + hex32 of the request digest, so a repeated request returns the same job.</summary>
    public string JobId() => "mft_" + Digests.Hex32(RequestDigest());
}

/// <summary>One reason a train request is refused, naming the member (JSON pointer) it is about.</summary>
public sealed record RequestProblem(string Member, string Code, string Message);

/// <summary>Fail-closed validation of a train request before any work: on a problem there is no fact and no job.</summary>
public static partial class MfTrainRequestValidator
{
    public const string MutableRef = "MUTABLE_REF";
    public const string Missing = "MISSING";
    public const string Invalid = "INVALID";
    public const string DigestMismatch = "DIGEST_MISMATCH";

    public static IReadOnlyList<RequestProblem> Validate(MfTrainRequest? request)
    {
        var problems = new List<RequestProblem>();
        if (request is null)
        {
            problems.Add(new("", Missing, "A train request body is required."));
            return problems;
        }

        if (request.SchemaVersion != MfTrainRequest.Version)
        {
            problems.Add(new("/schema_version", Invalid, $"schema_version must be {MfTrainRequest.Version}."));
        }

        if (!PlatformRunId.IsValid(request.PlatformRunId))
        {
            problems.Add(new("/platform_run_id", Invalid, "platform_run_id must be platform_YYYYMMDDTHHMMSSZ."));
        }

        var refs = request.DatasetManifestRefs ?? [];
        if (refs.Count == 0)
        {
            problems.Add(new("/dataset_manifest_refs", Missing, "At least one DatasetManifest ref is required."));
        }

        for (var i = 0; i < refs.Count; i++)
        {
            var member = $"/dataset_manifest_refs/{i}";
            var (id, fingerprint) = (refs[i]?.DatasetManifestId, refs[i]?.DatasetFingerprint);
            if (id is null || !ManifestId().IsMatch(id))
            {
                problems.Add(new(member + "/dataset_manifest_id", MutableRef, "A DatasetManifest is named by its immutable id dm_<hex32>, never by an alias such as \"latest\"."));
            }

            if (!Digests.IsHex64(fingerprint))
            {
                problems.Add(new(member + "/dataset_fingerprint", MutableRef, "A DatasetManifest is pinned by its fingerprint (64 lowercase hex)."));
            }
            else if (id is not null && ManifestId().IsMatch(id) && id != "dm_" + Digests.Hex32(fingerprint!))
            {
                problems.Add(new(member, DigestMismatch, "dataset_manifest_id is not dm_ + hex32(dataset_fingerprint)."));
            }
        }

        if (refs.Where(r => r is not null).GroupBy(r => r.DatasetManifestId, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            problems.Add(new("/dataset_manifest_refs", Invalid, "A DatasetManifest may be named once."));
        }

        if (request.TrainingConfig is null)
        {
            problems.Add(new("/training_config", Missing, "A complete training config is required."));
        }
        else
        {
            problems.AddRange(request.TrainingConfig.Problems().Select(p => new RequestProblem("/training_config", Invalid, p)));
        }

        var scope = request.TargetScopeKey;
        if (scope is null || string.IsNullOrWhiteSpace(scope.Environment) || string.IsNullOrWhiteSpace(scope.Mode) || string.IsNullOrWhiteSpace(scope.BundleSlot))
        {
            problems.Add(new("/target_scope_key", Missing, "target_scope_key needs environment, mode and bundle_slot."));
        }
        else if (new[] { scope.Environment, scope.Mode, scope.BundleSlot, scope.TenantId ?? "x" }.Any(p => p.Contains('|', StringComparison.Ordinal)))
        {
            problems.Add(new("/target_scope_key", Invalid, "ScopeKey parts may not contain '|'."));
        }

        if (string.IsNullOrWhiteSpace(request.BundleVersion) || !BundleVersionPattern().IsMatch(request.BundleVersion))
        {
            problems.Add(new("/bundle_version", Invalid, "bundle_version is 1 to 64 characters of [A-Za-z0-9._-] and never \"latest\"."));
        }
        else if (string.Equals(request.BundleVersion, "latest", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new("/bundle_version", MutableRef, "bundle_version may not be \"latest\"."));
        }

        return problems;
    }

    [GeneratedRegex("^dm_[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ManifestId();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex BundleVersionPattern();
}
