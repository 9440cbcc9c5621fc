using System.Text.Json.Nodes;
using ModelFactory.Domain;
using Platform.Features;
using Platform.Substrate.Pinning;

namespace ModelFactory.Tests.Domain;

public sealed class ManifestVerificationTests
{
    [Fact]
    public void A_stored_manifest_that_hashes_to_the_requested_ref_verifies()
    {
        var (json, reference) = Manifest();

        var (manifest, problem) = ManifestVerification.Verify(reference, json);

        Assert.Null(problem);
        Assert.Equal("platform_20261128T000000Z", manifest!.PlatformRunId);
        Assert.Equal(new FeatureSetRef(FraudCore.FeatureSetId, FraudCore.FeatureSetVersionV1, FraudCore.V1.DefinitionDigest), manifest.FeatureSet);
        Assert.Equal([new DatasetObject("platform_20261128T000000Z/ofs/datasets/b/part-00000.parquet", new string('d', 64))], manifest.Objects);
    }

    [Fact]
    public void A_manifest_edited_after_it_was_written_is_refused_even_with_its_id_kept()
    {
        var (json, reference) = Manifest();
        var edited = JsonNode.Parse(json)!.AsObject();
        edited["row_counts"]!["positives"] = 999;

        var (manifest, problem) = ManifestVerification.Verify(reference, System.Text.Encoding.UTF8.GetBytes(edited.ToJsonString()));

        Assert.Null(manifest);
        Assert.Contains("does not hash to its fingerprint", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_other_than_the_requested_one_is_refused()
    {
        var (json, reference) = Manifest();
        var other = reference with { DatasetFingerprint = new string('0', 64) };

        Assert.Contains("not the requested", ManifestVerification.Verify(other, json).Problem, StringComparison.Ordinal);
        Assert.Contains("is not JSON", ManifestVerification.Verify(reference, "{"u8.ToArray()).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_well_hashed_manifest_without_the_members_mf_reads_is_refused()
    {
        var (json, reference) = Manifest(withContentDigests: false);
        Assert.Contains("lacks a member", ManifestVerification.Verify(reference, json).Problem, StringComparison.Ordinal);
    }

    /// <summary>A manifest in OFS's layout with a correct fingerprint and id.</summary>
    internal static (byte[] Json, DatasetManifestRef Ref) Manifest(bool withContentDigests = true) =>
        Manifest(withContentDigests ? [new DatasetObject("platform_20261128T000000Z/ofs/datasets/b/part-00000.parquet", new string('d', 64))] : null);

    /// <summary>A manifest in OFS's layout naming <paramref name="objects"/> (none: the member is left out).</summary>
    internal static (byte[] Json, DatasetManifestRef Ref) Manifest(IReadOnlyList<DatasetObject>? objects, string definitionDigest = "", string run = "platform_20261128T000000Z")
    {
        var body = new JsonObject
        {
            ["schema_version"] = ManifestVerification.SchemaVersion,
            ["platform_run_id"] = run,
            ["feature_definition_set"] = new JsonObject
            {
                ["feature_set_id"] = FraudCore.FeatureSetId,
                ["feature_set_version"] = FraudCore.FeatureSetVersionV1,
                ["definition_digest"] = definitionDigest.Length > 0 ? definitionDigest : FraudCore.V1.DefinitionDigest,
            },
            ["row_counts"] = new JsonObject { ["total"] = 10, ["positives"] = 2 },
        };
        if (objects is not null)
        {
            body["content_digests"] = new JsonArray([.. objects.Select(o => (JsonNode)new JsonObject { ["object_ref"] = o.ObjectRef, ["sha256"] = o.Sha256 })]);
        }

        var fingerprint = Digests.Of(body);
        var id = "dm_" + Digests.Hex32(fingerprint);
        body["dataset_manifest_id"] = id;
        body["dataset_fingerprint"] = fingerprint;
        return (System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()), new DatasetManifestRef(id, fingerprint));
    }
}
