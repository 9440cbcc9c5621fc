using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;

namespace FeatureStore.Endpoints;

/// <summary>
/// <c>GET /v1/feature-sets</c> (operator role): the feature definition sets this release can build, each with the
/// definition digest a build request must pin, so an operator (or <c>run.sh</c>) learns it from the service that
/// checks it rather than from a copy.
/// </summary>
public static class FeatureSetsApi
{
    public static IEndpointRouteBuilder MapFeatureSetsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/feature-sets", () => TypedResults.Json(
                new FeatureSetList([.. FeatureSetCatalog.All.Select(d => new FeatureSetEntry(d.FeatureSetId, d.FeatureSetVersion, d.DefinitionDigest, [.. d.Features.Select(f => f.Name)]))]),
                PlatformJson.Options))
            .RequireAuthorization(WriterBoundaries.Operator);
        return endpoints;
    }

    private sealed record FeatureSetList(IReadOnlyList<FeatureSetEntry> FeatureSets);

    private sealed record FeatureSetEntry(string FeatureSetId, string FeatureSetVersion, string DefinitionDigest, IReadOnlyList<string> Features);
}
