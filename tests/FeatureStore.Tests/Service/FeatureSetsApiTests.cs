using System.Net;
using System.Text.Json;
using Platform.Features;

namespace FeatureStore.Tests.Service;

/// <summary>GET /v1/feature-sets: what an operator pins in a build request, from the service that checks it.</summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class FeatureSetsApiTests(OfsServiceFixture fixture)
{
    private static readonly Uri FeatureSets = new("/v1/feature-sets", UriKind.Relative);

    [Fact]
    public async Task Operators_read_every_buildable_feature_set_with_the_digest_a_build_must_pin()
    {
        using var response = await fixture.Ofs.Client(TestSecrets.OperatorKey).GetAsync(FeatureSets);
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var listed = body.GetProperty("feature_sets").EnumerateArray().ToList();
        Assert.Equal(FeatureSetCatalog.All.Count, listed.Count);
        foreach (var definition in FeatureSetCatalog.All)
        {
            var entry = listed.Single(e => e.GetProperty("feature_set_id").GetString() == definition.FeatureSetId
                && e.GetProperty("feature_set_version").GetString() == definition.FeatureSetVersion);
            Assert.Equal(definition.DefinitionDigest, entry.GetProperty("definition_digest").GetString());
            Assert.Equal(definition.Features.Select(f => f.Name), entry.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        }
    }

    [Fact]
    public async Task Callers_without_the_operator_role_are_refused()
    {
        using var anonymous = await fixture.Ofs.Client(apiKey: null).GetAsync(FeatureSets);
        using var producer = await fixture.Ofs.Client(TestSecrets.ProducerKey).GetAsync(FeatureSets);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, producer.StatusCode);
        Assert.Equal("application/problem+json", producer.Content.Headers.ContentType?.MediaType);
    }
}
