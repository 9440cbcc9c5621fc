using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;
using Platform.Substrate.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests;

/// <summary>
/// The local_parity API-key identity on the real generated <c>api-keys</c> secret, read through app ig's sidecar:
/// the keys backends-up.sh hands out (PLATFORM_PRODUCER_API_KEY, PLATFORM_OPERATOR_API_KEY) map to their principals.
/// </summary>
public sealed class ApiKeyIdentityTests(IgSidecar ig) : IClassFixture<IgSidecar>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string ProducerKey => BackendEnvironment.Current["PLATFORM_PRODUCER_API_KEY"];

    private static string OperatorKey => BackendEnvironment.Current["PLATFORM_OPERATOR_API_KEY"];

    [Fact]
    public async Task The_directory_loads_the_generated_allowlist_and_finds_each_key()
    {
        using var directory = new SecretStoreApiKeyDirectory(ig.Secrets, TimeProvider.System);

        var producer = await directory.FindAsync(ProducerKey, None);
        Assert.NotNull(producer);
        Assert.Equal(("SYSTEM::synthetic_producer", "SYSTEM"), (producer.Principal, producer.SourceType));
        Assert.Equal([PlatformRoles.TrafficProducer, PlatformRoles.ContextProducer], producer.Roles);

        var operatorEntry = await directory.FindAsync(OperatorKey, None);
        Assert.Equal(("HUMAN::local_operator", "HUMAN"), (operatorEntry?.Principal, operatorEntry?.SourceType));

        Assert.Null(await directory.FindAsync(ProducerKey + "x", None));
    }

    [Fact]
    public async Task The_producer_key_authenticates_a_platform_app_as_the_synthetic_producer()
    {
        var port = FreePort.Next();
        var app = await PlatformApp.StartAsync(port, ig.Harness, appApiToken: null, _ => { }, web =>
            web.MapPost("/ingest/traffic", (HttpContext http) =>
                {
                    var actor = http.GetActorContext();
                    return Results.Json(new { actor.ActorId, Source = actor.SourceTypeName, Auth = actor.AuthModeName, Roles = actor.Roles.Order(StringComparer.Ordinal) }, PlatformJson.Options);
                })
                .RequireAuthorization(WriterBoundaries.IngestTraffic));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using var accepted = await PostAsync(http, ProducerKey);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            var actor = await accepted.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(
                """{"actor_id":"SYSTEM::synthetic_producer","source":"SYSTEM","auth":"api_key","roles":["producer:context","producer:traffic"]}""",
                actor.GetRawText());

            // The operator is authenticated but holds no producer role; an unknown key is not authenticated at all.
            using var forbidden = await PostAsync(http, OperatorKey);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            using var unknown = await PostAsync(http, "pk_not-a-key");
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/traffic");
        request.Headers.Add("X-Api-Key", apiKey);
        return await http.SendAsync(request);
    }
}
