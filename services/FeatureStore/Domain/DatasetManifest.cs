using System.Text.Json.Serialization;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary><c>replay_basis</c> entry of a DatasetManifest: what was read, and how many records it held.</summary>
public sealed record ReplayBasisEntry(string Stream, string Partition, string OffsetKind, string StartOffset, string EndOffset, long RecordCount, string KeysSha256);

/// <summary><c>content_digests</c> entry: an object the dataset consists of and its SHA-256.</summary>
public sealed record ContentDigest(string ObjectRef, string Sha256);

/// <summary><c>provenance</c> of a DatasetManifest (CONTRACTS §7).</summary>
public sealed record ManifestProvenance(string OfsCodeReleaseId, string? ConfigRevision, string? RunConfigDigest, PlatformEnvironment Environment);

/// <summary>
/// The immutable DatasetManifest (CONTRACTS §7, <c>learning.dataset_manifest.v0</c>). <see cref="DatasetFingerprint"/>
/// = H(every member but the id and the fingerprint); <see cref="DatasetManifestId"/> = <c>dm_</c> + hex32 of it.
/// </summary>
public sealed record DatasetManifest(
    string SchemaVersion,
    string DatasetManifestId,
    string DatasetFingerprint,
    string PlatformRunId,
    IReadOnlyList<string> ScenarioRunIds,
    IReadOnlyList<ReplayBasisEntry> ReplayBasis,
    LabelBasis LabelBasis,
    FeatureDefinitionSetRef FeatureDefinitionSet,
    RowCounts RowCounts,
    IReadOnlyList<ContentDigest> ContentDigests,
    ManifestProvenance Provenance)
{
    public const string Version = "learning.dataset_manifest.v0";

    /// <summary>The manifest of these inputs, with its fingerprint and id computed; lists are taken in a canonical order.</summary>
    public static DatasetManifest Create(
        string platformRunId,
        IEnumerable<string> scenarioRunIds,
        IEnumerable<ReplayBasisEntry> replayBasis,
        LabelBasis labelBasis,
        FeatureDefinitionSetRef featureDefinitionSet,
        RowCounts rowCounts,
        IEnumerable<ContentDigest> contentDigests,
        ManifestProvenance provenance)
    {
        var body = new FingerprintedPart(
            Version,
            platformRunId,
            [.. scenarioRunIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            [.. replayBasis.OrderBy(r => r.Stream, StringComparer.Ordinal)],
            labelBasis,
            featureDefinitionSet,
            rowCounts,
            [.. contentDigests.OrderBy(c => c.ObjectRef, StringComparer.Ordinal)],
            provenance);
        var fingerprint = Digests.Of(body);
        return new DatasetManifest(
            Version, "dm_" + Digests.Hex32(fingerprint), fingerprint, body.PlatformRunId, body.ScenarioRunIds, body.ReplayBasis,
            labelBasis, featureDefinitionSet, rowCounts, body.ContentDigests, provenance);
    }

    /// <summary>Where the manifest is stored, write-once: <c>&lt;platform_run_id&gt;/ofs/manifests/&lt;dataset_manifest_id&gt;.json</c>.</summary>
    [JsonIgnore]
    public string ObjectKey => $"{PlatformRunId}/ofs/manifests/{DatasetManifestId}.json";

    private sealed record FingerprintedPart(
        string SchemaVersion,
        string PlatformRunId,
        IReadOnlyList<string> ScenarioRunIds,
        IReadOnlyList<ReplayBasisEntry> ReplayBasis,
        LabelBasis LabelBasis,
        FeatureDefinitionSetRef FeatureDefinitionSet,
        RowCounts RowCounts,
        IReadOnlyList<ContentDigest> ContentDigests,
        ManifestProvenance Provenance);
}
