using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Substrate.Tests.Identity;

public sealed class ApiKeyAuthenticationTests : IAsyncLifetime
{
    private readonly FakeSecrets _secrets = new();
    private Microsoft.AspNetCore.Builder.WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _secrets.Values["api-keys"] = IdentityTestHost.ApiKeysJson();
        (_app, _client) = await IdentityTestHost.StartAsync(IdentityTestHost.LocalParity(), _secrets);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app!.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_key_reaches_its_boundary_as_the_system_actor_of_its_principal()
    {
        using var response = await SendAsync("/ingest/traffic", IdentityTestHost.TrafficKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SYSTEM::traffic-sim", body.GetProperty("actor_id").GetString());
        Assert.Equal("SYSTEM", body.GetProperty("source_type").GetString());
        Assert.Equal("api_key", body.GetProperty("auth_mode").GetString());
    }

    [Fact]
    public async Task An_unknown_key_is_401_problem_with_a_challenge()
    {
        using var response = await SendAsync("/ingest/traffic", "not-a-key");

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_missing_header_is_401_problem_with_a_challenge()
    {
        using var response = await SendAsync("/ingest/traffic", apiKey: null);

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task An_endpoint_without_a_named_policy_is_still_not_anonymous()
    {
        using var anonymous = await _client.GetAsync(new Uri("/whoami", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Add("X-Api-Key", IdentityTestHost.ContextKey);
        using var authenticated = await _client.SendAsync(request);

        await AssertUnauthorizedAsync(anonymous);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task A_key_of_another_producer_class_is_403_problem()
    {
        using var response = await SendAsync("/ingest/traffic", IdentityTestHost.ContextKey);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Governance_needs_a_human_with_the_governance_role()
    {
        using var human = await SendAsync("/governance", IdentityTestHost.HumanGovernorKey);
        using var service = await SendAsync("/governance", IdentityTestHost.SystemGovernorKey);

        Assert.Equal(HttpStatusCode.OK, human.StatusCode);
        Assert.Equal("HUMAN::alice", (await human.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("actor_id").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, service.StatusCode);
    }

    [Fact]
    public async Task A_key_whose_principal_contradicts_its_source_type_is_refused()
    {
        using var response = await SendAsync("/ingest/traffic", IdentityTestHost.ContradictingKey);

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_payload_claiming_another_actor_changes_nothing()
    {
        using var response = await SendAsync(
            "/ingest/traffic", IdentityTestHost.TrafficKey,
            """{"actor_id":"HUMAN::mallory","source_type":"HUMAN","auth_mode":"jwt"}""");

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SYSTEM::traffic-sim", body.GetProperty("actor_id").GetString());
        Assert.Equal("SYSTEM", body.GetProperty("source_type").GetString());
        Assert.Equal("api_key", body.GetProperty("auth_mode").GetString());
    }

    [Fact]
    public async Task A_bearer_token_is_not_a_credential_in_local_parity()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/traffic");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "eyJhbGciOi.x.y");
        using var response = await _client.SendAsync(request);

        await AssertUnauthorizedAsync(response);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string? apiKey, string body = "{}")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await _client.SendAsync(request);
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }
}
