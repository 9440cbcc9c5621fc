using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>
/// One replayed range of a run's archive. <c>offset_kind</c> <c>archive_key</c>: offsets are archive record names
/// (<c>&lt;yyyyMMddTHHmmssffffff&gt;Z_&lt;publish_id&gt;</c>, <see cref="ArchiveKeys.RecordName"/>), both inclusive; they sort in event
/// time, so a time window selector converts to the offsets <c>&lt;start&gt;Z_000…0</c> and <c>&lt;end&gt;Z_fff…f</c>.
/// </summary>
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
    /// <summary>
    /// Positive when the latest fraud_disposition observed by label_asof_utc is FRAUD_CONFIRMED or the latest
    /// chargeback_status is CHARGEBACK; negative when such a latest label is LEGIT_CONFIRMED / NO_CHARGEBACK, or when
    /// the transaction is at least maturity_days older than label_asof_utc without any deciding label; else immature (dropped).
    /// </summary>
    public const string FraudPositiveElseMatureNegativeV0 = "fraud_positive_else_mature_negative.v0";
}

/// <summary>The feature definition set a build is pinned to: id, version and the definition digest.</summary>
public sealed record FeatureDefinitionSetRef(string FeatureSetId, string FeatureSetVersion, string DefinitionDigest)
{
    public static FeatureDefinitionSetRef Of(FeatureSetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new(definition.FeatureSetId, definition.FeatureSetVersion, definition.DefinitionDigest);
    }
}

/// <summary>
/// An OFS build job request (issue [C] item 5): every input pinned, nothing resolved later. The build id, and so the
/// workflow instance id, is derived from the request's digest: the same request is the same job.
/// </summary>
public sealed record OfsBuildRequest(
    string PlatformRunId,
    IReadOnlyList<ReplayRange> ReplayBasis,
    LabelBasis LabelBasis,
    FeatureDefinitionSetRef FeatureDefinitionSet,
    string OfsCodeReleaseId)
{
    /// <summary><c>ofsb_</c> + hex32 of H(request).</summary>
    public string BuildId() => "ofsb_" + Digests.Hex32(Digests.Of(this));
}

/// <summary>One reason a build request is refused, naming the member (JSON pointer) it is about.</summary>
public sealed record RequestProblem(string Member, string Code, string Message);

/// <summary>Fail-closed validation of a build request before any work (no fact, no workflow on refusal).</summary>
public static partial class OfsBuildRequestValidator
{
    public const string MutableRef = "MUTABLE_REF";
    public const string Missing = "MISSING";
    public const string Invalid = "INVALID";
    public const string UnknownFeatureSet = "UNKNOWN_FEATURE_SET";
    public const string DigestMismatch = "DIGEST_MISMATCH";

    // Words that name something that moves: a pinned input never uses them.
    private static readonly string[] MutableWords = ["latest", "current", "head", "newest", "now", "*"];

    public static IReadOnlyList<RequestProblem> Validate(OfsBuildRequest? request, IReadOnlyList<FeatureSetDefinition> featureSets, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(featureSets);
        var problems = new List<RequestProblem>();
        if (request is null)
        {
            problems.Add(new("", Missing, "The request body is required."));
            return problems;
        }

        MutableWordsIn(JsonSerializer.SerializeToElement(request, PlatformJson.Options), "", problems);
        if (!PlatformRunId.IsValid(request.PlatformRunId))
        {
            problems.Add(new("/platform_run_id", Invalid, "platform_run_id must be platform_YYYYMMDDTHHMMSSZ."));
        }

        ValidateReplayBasis(request.ReplayBasis, problems);
        ValidateLabelBasis(request.LabelBasis, now, problems);
        ValidateFeatureSet(request.FeatureDefinitionSet, featureSets, problems);
        if (request.OfsCodeReleaseId is null || !ReleaseIdPattern().IsMatch(request.OfsCodeReleaseId))
        {
            problems.Add(new("/ofs_code_release_id", Invalid, "ofs_code_release_id must be a git SHA (40 hex) or an image digest (sha256:<64 hex>)."));
        }

        return problems;
    }

    private static void ValidateReplayBasis(IReadOnlyList<ReplayRange>? basis, List<RequestProblem> problems)
    {
        if (basis is null || basis.Count == 0)
        {
            problems.Add(new("/replay_basis", Missing, "replay_basis needs at least the traffic stream's range."));
            return;
        }

        if (!basis.Any(r => r?.Stream == PlatformNames.Streams.Traffic.StreamName))
        {
            problems.Add(new("/replay_basis", Missing, "replay_basis must include fp.bus.traffic.v1."));
        }

        if (basis.Where(r => r is not null).GroupBy(r => r.Stream).Any(g => g.Count() > 1))
        {
            problems.Add(new("/replay_basis", Invalid, "one range per stream."));
        }

        for (var i = 0; i < basis.Count; i++)
        {
            var range = basis[i];
            var at = $"/replay_basis/{i}";
            if (range is null)
            {
                problems.Add(new(at, Missing, "a range is required."));
                continue;
            }

            if (range.Stream != PlatformNames.Streams.Traffic.StreamName && range.Stream != PlatformNames.Streams.Context.StreamName)
            {
                problems.Add(new(at + "/stream", Invalid, "OFS archives fp.bus.traffic.v1 and fp.bus.context.v1 only."));
            }

            if (range.OffsetKind != ReplayRange.ArchiveKey)
            {
                problems.Add(new(at + "/offset_kind", Invalid, $"offset_kind must be {ReplayRange.ArchiveKey}."));
            }

            var start = range.StartOffset is not null && ArchiveOffsetPattern().IsMatch(range.StartOffset);
            var end = range.EndOffset is not null && ArchiveOffsetPattern().IsMatch(range.EndOffset);
            if (!start)
            {
                problems.Add(new(at + "/start_offset", Invalid, "an archive offset is <yyyyMMddTHHmmssffffff>Z_<32 hex>."));
            }

            if (!end)
            {
                problems.Add(new(at + "/end_offset", Invalid, "an archive offset is <yyyyMMddTHHmmssffffff>Z_<32 hex>."));
            }

            if (start && end && string.CompareOrdinal(range.StartOffset, range.EndOffset) > 0)
            {
                problems.Add(new(at, Invalid, "start_offset is after end_offset."));
            }
        }
    }

    private static void ValidateLabelBasis(LabelBasis? basis, DateTimeOffset now, List<RequestProblem> problems)
    {
        if (basis is null)
        {
            problems.Add(new("/label_basis", Missing, "label_basis is required."));
            return;
        }

        if (basis.LabelAsofUtc == default)
        {
            problems.Add(new("/label_basis/label_asof_utc", Missing, "label_asof_utc is required."));
        }
        else if (basis.LabelAsofUtc > now)
        {
            // Labels observed later could still change a dataset pinned to a future instant.
            problems.Add(new("/label_basis/label_asof_utc", MutableRef, "label_asof_utc must not be in the future."));
        }

        if (basis.ResolutionRule != LabelBasis.FraudPositiveElseMatureNegativeV0)
        {
            problems.Add(new("/label_basis/resolution_rule", Invalid, $"resolution_rule must be {LabelBasis.FraudPositiveElseMatureNegativeV0}."));
        }

        if (basis.MaturityDays is < 0 or > 365)
        {
            problems.Add(new("/label_basis/maturity_days", Invalid, "maturity_days must be 0..365."));
        }
    }

    private static void ValidateFeatureSet(FeatureDefinitionSetRef? pinned, IReadOnlyList<FeatureSetDefinition> known, List<RequestProblem> problems)
    {
        if (pinned is null)
        {
            problems.Add(new("/feature_definition_set", Missing, "feature_definition_set is required."));
            return;
        }

        var definition = known.FirstOrDefault(d => d.FeatureSetId == pinned.FeatureSetId && d.FeatureSetVersion == pinned.FeatureSetVersion);
        if (definition is null)
        {
            problems.Add(new("/feature_definition_set", UnknownFeatureSet, $"no feature set {pinned.FeatureSetId}/{pinned.FeatureSetVersion} in this release."));
        }
        else if (definition.DefinitionDigest != pinned.DefinitionDigest)
        {
            problems.Add(new("/feature_definition_set/definition_digest", DigestMismatch, "definition_digest is not the digest of that feature set in this release."));
        }
    }

    private static void MutableWordsIn(JsonElement element, string member, List<RequestProblem> problems)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    MutableWordsIn(property.Value, $"{member}/{property.Name}", problems);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    MutableWordsIn(item, $"{member}/{i++}", problems);
                }

                break;
            case JsonValueKind.String when MutableWords.Contains(element.GetString()!.Trim(), StringComparer.OrdinalIgnoreCase):
                problems.Add(new(member, MutableRef, $"'{element.GetString()}' names a moving target; pin an immutable value."));
                break;
        }
    }

    [GeneratedRegex("^[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ArchiveOffsetPattern();

    [GeneratedRegex("^([0-9a-f]{40}|sha256:[0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseIdPattern();
}
