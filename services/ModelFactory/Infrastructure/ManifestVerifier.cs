using ModelFactory.Domain;
using ModelFactory.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;

namespace ModelFactory.Infrastructure;

/// <summary>
/// Reads each DatasetManifest a request names from the object store (<c>&lt;platform_run_id&gt;/ofs/manifests/&lt;id&gt;.json</c>,
/// under the request's run) and verifies it against the ref; all must name one feature definition set this release
/// implements. A missing or mismatched manifest is a refusal, not an error: retrying would not change it. The job
/// endpoint runs it before accepting a request, and the workflow again before training (the store is not trusted
/// to be unchanged in between).
/// </summary>
public sealed class ManifestVerifier(IObjectStore store)
{
    public static string ManifestKey(string platformRunId, string datasetManifestId) => $"{platformRunId}/ofs/manifests/{datasetManifestId}.json";

    public async Task<ManifestCheck> VerifyAsync(MfTrainRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var verified = new List<VerifiedManifest>();
        foreach (var reference in request.DatasetManifestRefs)
        {
            var bytes = await store.GetAsync(ManifestKey(request.PlatformRunId, reference.DatasetManifestId), cancellationToken);
            if (bytes is null)
            {
                return new ManifestCheck([], $"DatasetManifest {reference.DatasetManifestId} does not exist in run {request.PlatformRunId}.");
            }

            var (manifest, problem) = ManifestVerification.Verify(reference, bytes);
            if (manifest is null)
            {
                return new ManifestCheck([], problem);
            }

            verified.Add(manifest);
        }

        var featureSets = verified.Select(m => m.FeatureSet).Distinct().ToList();
        if (featureSets.Count != 1)
        {
            return new ManifestCheck([], "The DatasetManifests were built with different feature definition sets.");
        }

        var set = featureSets[0];
        return FeatureSetCatalog.Find(set.FeatureSetId, set.FeatureSetVersion, set.DefinitionDigest) is null
            ? new ManifestCheck([], $"Feature definition set {set.FeatureSetId}/{set.FeatureSetVersion} ({set.DefinitionDigest}) is not implemented by this release.")
            : new ManifestCheck(verified, null);
    }
}
