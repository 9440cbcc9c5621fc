using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace ModelFactory.Domain;

/// <summary>A dataset object named by a verified DatasetManifest, with the SHA-256 its bytes must have.</summary>
public sealed record DatasetObject(string ObjectRef, string Sha256);

/// <summary>What MF takes from a DatasetManifest once it verified: its run, its feature set and its dataset objects.</summary>
public sealed record VerifiedManifest(DatasetManifestRef Ref, string PlatformRunId, FeatureSetRef FeatureSet, IReadOnlyList<DatasetObject> Objects);

/// <summary>
/// Verifies a stored DatasetManifest against the ref a request named: the stored id and fingerprint equal the ref, and
/// the fingerprint is recomputed as H(every member but the id and the fingerprint), so a manifest edited after OFS
/// wrote it is refused even if its id was kept.
/// </summary>
public static class ManifestVerification
{
    public const string SchemaVersion = "learning.dataset_manifest.v0";

    private static readonly JsonSerializerOptions ViewOptions = new(PlatformJson.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The verified manifest, or the reason it is refused.</summary>
    public static (VerifiedManifest? Manifest, string? Problem) Verify(DatasetManifestRef expected, ReadOnlyMemory<byte> manifestJson)
    {
        ArgumentNullException.ThrowIfNull(expected);
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(manifestJson.Span) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException exception)
        {
            return (null, $"The stored DatasetManifest {expected.DatasetManifestId} is not JSON: {exception.Message}");
        }

        var id = (string?)manifest["dataset_manifest_id"];
        var fingerprint = (string?)manifest["dataset_fingerprint"];
        if ((string?)manifest["schema_version"] != SchemaVersion)
        {
            return (null, $"The stored object for {expected.DatasetManifestId} is not a {SchemaVersion}.");
        }

        if (id != expected.DatasetManifestId || fingerprint != expected.DatasetFingerprint)
        {
            return (null, $"The stored DatasetManifest is {id}/{fingerprint}, not the requested {expected.DatasetManifestId}/{expected.DatasetFingerprint}.");
        }

        var body = (JsonObject)manifest.DeepClone();
        body.Remove("dataset_manifest_id");
        body.Remove("dataset_fingerprint");
        var recomputed = Digests.Of(body);
        if (recomputed != fingerprint || id != "dm_" + Digests.Hex32(recomputed))
        {
            return (null, $"DatasetManifest {id} does not hash to its fingerprint (content {recomputed}).");
        }

        try
        {
            var view = manifest.Deserialize<ManifestView>(ViewOptions)!;
            return (new VerifiedManifest(expected, view.PlatformRunId, view.FeatureDefinitionSet, view.ContentDigests), null);
        }
        catch (JsonException exception)
        {
            return (null, $"DatasetManifest {id} lacks a member MF needs: {exception.Message}");
        }
    }

    /// <summary>The members MF reads; all required and non-null, others ignored (the fingerprint covers them).</summary>
    private sealed record ManifestView(string PlatformRunId, FeatureSetRef FeatureDefinitionSet, IReadOnlyList<DatasetObject> ContentDigests);
}
