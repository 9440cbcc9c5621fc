using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Substrate.Identity;

namespace Platform.Substrate.Tests.Identity;

public sealed class JwtAuthenticationTests : IAsyncLifetime, IDisposable
{
    private const string Issuer = "https://issuer.platform.test";
    private const string Audience = "platform-writers";
    private const string KeyId = "signing-1";

    private readonly RSA _signingKey = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly FakeSecrets _secrets = new();
    private Microsoft.AspNetCore.Builder.WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _secrets.Values["jwt-issuer"] = Issuer;
        _secrets.Values["jwt-audience"] = Audience;
        _secrets.Values["jwt-signing-keys"] = Jwks(_signingKey, KeyId);
        (_app, _client) = await IdentityTestHost.StartAsync(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = "dev", ["APP_API_TOKEN"] = "sidecar-token" }, _secrets);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app!.DisposeAsync();
    }

    public void Dispose()
    {
        _signingKey.Dispose();
        _otherKey.Dispose();
    }

    [Fact]
    public async Task A_valid_token_reaches_its_boundary_as_the_actor_of_its_subject()
    {
        using var response = await SendAsync(Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SYSTEM::traffic-gateway", body.GetProperty("actor_id").GetString());
        Assert.Equal("SYSTEM", body.GetProperty("source_type").GetString());
        Assert.Equal("jwt", body.GetProperty("auth_mode").GetString());
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var now = DateTime.UtcNow;
        using var response = await SendAsync(Token(notBefore: now.AddMinutes(-30), expires: now.AddMinutes(-10)));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_401()
    {
        using var response = await SendAsync(Token(signWith: _otherKey));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_401()
    {
        using var response = await SendAsync(Token(audience: "someone-else"));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_401()
    {
        using var response = await SendAsync(Token(issuer: "https://evil.test"));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_source_type_that_contradicts_the_subject_is_401()
    {
        using var response = await SendAsync(Token(subject: "HUMAN::bob", sourceType: "SYSTEM"));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_token_without_source_type_is_401()
    {
        using var response = await SendAsync(Token(sourceType: null));

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task A_valid_token_without_the_producer_role_is_403()
    {
        using var response = await SendAsync(Token(roles: ["producer:context"]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_api_key_is_not_a_credential_in_dev()
    {
        _secrets.Values["api-keys"] = IdentityTestHost.ApiKeysJson();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/traffic") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("X-Api-Key", IdentityTestHost.TrafficKey);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Rotated_signing_keys_are_picked_up_once_the_cache_lifetime_has_passed()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var (app, client) = await IdentityTestHost.StartAsync(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = "prod", ["APP_API_TOKEN"] = "t" }, _secrets, time: time);
        await using var _ = app;
        using var __ = client;

        using var oldKey = await SendAsync(client, Token());
        _secrets.Values["jwt-signing-keys"] = Jwks(_otherKey, KeyId);
        using var newKeyTooEarly = await SendAsync(client, Token(signWith: _otherKey));
        time.Now += SecretStoreJwtSettings.CacheLifetime + TimeSpan.FromSeconds(1);
        using var newKeyLater = await SendAsync(client, Token(signWith: _otherKey));
        using var oldKeyLater = await SendAsync(client, Token());

        Assert.Equal(HttpStatusCode.OK, oldKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, newKeyTooEarly.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newKeyLater.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldKeyLater.StatusCode);
    }

    private string Token(
        string subject = "traffic-gateway",
        string? sourceType = "SYSTEM",
        string[]? roles = null,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? notBefore = null,
        DateTime? expires = null,
        RSA? signWith = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["roles"] = roles ?? ["producer:traffic"],
        };
        if (sourceType is not null)
        {
            claims["source_type"] = sourceType;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore ?? now,
            NotBefore = notBefore ?? now.AddSeconds(-5),
            Expires = expires ?? now.AddMinutes(5),
            Claims = claims,
            SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(signWith ?? _signingKey) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string Jwks(RSA key, string keyId)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new
                {
                    kty = "RSA",
                    use = "sig",
                    alg = "RS256",
                    kid = keyId,
                    n = Base64UrlEncoder.Encode(parameters.Modulus),
                    e = Base64UrlEncoder.Encode(parameters.Exponent),
                },
            },
        });
    }

    private Task<HttpResponseMessage> SendAsync(string token) => SendAsync(_client, token);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/traffic") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
