using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;

namespace Platform.Substrate.Tests.Identity;

/// <summary>
/// Rotated API keys and signing keys are picked up without a restart: the identity secrets are cached for at most
/// MaxAge, an unknown credential forces one early re-read at most every MinRefreshInterval, and each app says which
/// secret versions it uses without revealing them.
/// </summary>
public sealed class SecretRotationCacheTests
{
    private const string RotatedKey = "rotated-traffic-key";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SecretRefreshOptions Options = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));

    private static string WithRotatedTrafficKey() =>
        IdentityTestHost.ApiKeysJson().TrimEnd().TrimEnd(']')
        + $$""", {"key_id":"k-traffic","version":2,"key_sha256":"{{IdentityTestHost.Hash(RotatedKey)}}","principal":"traffic-sim","source_type":"SYSTEM","roles":["producer:traffic"]}]""";

    [Fact]
    public async Task A_key_added_to_the_secret_is_accepted_at_once_through_one_early_reread()
    {
        var (secrets, time, directory) = Directory();
        using var _ = directory;
        Assert.Null(await directory.FindAsync(RotatedKey, None));
        time.Now += Options.MinRefreshInterval;

        secrets.Values["api-keys"] = WithRotatedTrafficKey();
        var rotated = await directory.FindAsync(RotatedKey, None);
        var old = await directory.FindAsync(IdentityTestHost.TrafficKey, None);

        Assert.Equal(("k-traffic", 2), (rotated?.KeyId, rotated?.EffectiveVersion));
        Assert.Equal(("k-traffic", 1), (old?.KeyId, old?.EffectiveVersion));
        Assert.Equal(2, secrets.Reads); // the first load (whose miss re-used it) and the early re-read that found the new key
    }

    [Fact]
    public async Task Unknown_keys_force_at_most_one_reread_per_minimum_interval()
    {
        var (secrets, time, directory) = Directory();
        using var _ = directory;

        for (var i = 0; i < 20; i++)
        {
            Assert.Null(await directory.FindAsync($"bad-key-{i}", None));
        }

        var readsInTheFirstInterval = secrets.Reads;
        time.Now += Options.MinRefreshInterval;
        Assert.Null(await directory.FindAsync("bad-key-again", None));
        Assert.Null(await directory.FindAsync("bad-key-again", None));

        Assert.Equal(1, readsInTheFirstInterval); // the miss right after the first load re-uses that load
        Assert.Equal(2, secrets.Reads);
    }

    [Fact]
    public async Task A_known_key_never_forces_a_reread()
    {
        var (secrets, time, directory) = Directory();
        using var _ = directory;

        for (var i = 0; i < 10; i++)
        {
            time.Now += TimeSpan.FromSeconds(2);
            Assert.NotNull(await directory.FindAsync(IdentityTestHost.TrafficKey, None));
        }

        Assert.Equal(1, secrets.Reads); // 20 s of traffic, all within MaxAge
    }

    [Fact]
    public async Task A_retired_key_stops_working_once_the_configured_max_age_has_passed()
    {
        var options = new SecretRefreshOptions(TimeSpan.FromSeconds(10), TimeSpan.Zero);
        var (secrets, time, directory) = Directory(options, WithRotatedTrafficKey());
        using var _ = directory;
        Assert.NotNull(await directory.FindAsync(IdentityTestHost.TrafficKey, None));

        secrets.Values["api-keys"] = IdentityTestHost.ApiKeysJson().Replace(IdentityTestHost.Hash(IdentityTestHost.TrafficKey), IdentityTestHost.Hash(RotatedKey), StringComparison.Ordinal);
        time.Now += TimeSpan.FromSeconds(9);
        var beforeMaxAge = await directory.FindAsync(IdentityTestHost.TrafficKey, None);
        time.Now += TimeSpan.FromSeconds(1);
        var atMaxAge = await directory.FindAsync(IdentityTestHost.TrafficKey, None);

        Assert.NotNull(beforeMaxAge);
        Assert.Null(atMaxAge);
    }

    [Fact]
    public async Task The_reported_version_follows_the_secret_and_reveals_neither_keys_nor_hashes()
    {
        var (secrets, time, directory) = Directory();
        using var _ = directory;
        var before = Assert.Single(await directory.GetSecretVersionsAsync(None));

        secrets.Values["api-keys"] = WithRotatedTrafficKey();
        time.Now += Options.MaxAge;
        var after = Assert.Single(await directory.GetSecretVersionsAsync(None));

        Assert.Equal("api-keys", after.Name);
        Assert.Equal(["k-traffic@1", "k-context@1", "k-gov@1", "k-sysgov@1", "k-bad@1", "k-traffic@2"], after.Versions);
        Assert.Equal(time.Now, after.LoadedAtUtc);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        Assert.Matches("^sha256:[0-9a-f]{16}$", after.Fingerprint);
        var reported = JsonSerializer.Serialize(after);
        Assert.DoesNotContain(IdentityTestHost.Hash(RotatedKey)[..16], reported, StringComparison.Ordinal);
        Assert.DoesNotContain(RotatedKey, reported, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_below_one_rejects_the_allowlist()
    {
        var json = $$"""[{"key_id":"k","version":0,"key_sha256":"{{IdentityTestHost.Hash("x")}}","principal":"p","source_type":"SYSTEM","roles":[]}]""";

        Assert.Throws<InvalidDataException>(() => ApiKeyAllowlist.Parse(json));
    }

    [Theory]
    [InlineData(null, null, 30, 5)]
    [InlineData("60", "0", 60, 0)]
    [InlineData("10", "10", 10, 10)]
    public void Refresh_options_come_from_the_environment_with_defaults(string? maxAge, string? minRefresh, int expectedMaxAge, int expectedMin)
    {
        var options = SecretRefreshOptions.FromConfiguration(Configuration(maxAge, minRefresh));

        Assert.Equal(TimeSpan.FromSeconds(expectedMaxAge), options.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(expectedMin), options.MinRefreshInterval);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("-1", null)]
    [InlineData("30s", null)]
    [InlineData("86401", null)]
    [InlineData("10", "11")]
    [InlineData(null, "x")]
    public void Malformed_refresh_options_refuse_to_start(string? maxAge, string? minRefresh)
    {
        Assert.Throws<PlatformStartupException>(() => SecretRefreshOptions.FromConfiguration(Configuration(maxAge, minRefresh)));
    }

    [Fact]
    public async Task A_token_with_a_new_kid_is_accepted_as_soon_as_the_jwks_holds_it()
    {
        using var oldKey = RSA.Create(2048);
        using var newKey = RSA.Create(2048);
        var secrets = JwtSecrets(("k1", oldKey));
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var (app, client) = await IdentityTestHost.StartAsync(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = "prod", ["APP_API_TOKEN"] = "t" }, secrets, time: time);
        await using var _ = app;
        using var __ = client;

        using var beforeRotation = await SendAsync(client, Token(newKey, "k2"));
        time.Now += Options.MinRefreshInterval;
        secrets.Values["jwt-signing-keys"] = Jwks(("k1", oldKey), ("k2", newKey));
        using var afterRotation = await SendAsync(client, Token(newKey, "k2"));
        using var oldStillValid = await SendAsync(client, Token(oldKey, "k1"));

        Assert.Equal(HttpStatusCode.Unauthorized, beforeRotation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterRotation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, oldStillValid.StatusCode);
    }

    [Fact]
    public async Task Tokens_with_unknown_kids_cannot_hammer_the_secret_store()
    {
        using var key = RSA.Create(2048);
        using var forged = RSA.Create(2048);
        var secrets = JwtSecrets(("k1", key));
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var (app, client) = await IdentityTestHost.StartAsync(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = "prod", ["APP_API_TOKEN"] = "t" }, secrets, time: time);
        await using var _ = app;
        using var __ = client;

        for (var i = 0; i < 10; i++)
        {
            using var response = await SendAsync(client, Token(forged, $"unknown-{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(3, secrets.Reads); // issuer, audience and keys, read once: every miss fell within the interval
    }

    [Fact]
    public async Task Each_app_tells_an_operator_which_signing_keys_it_uses()
    {
        using var key = RSA.Create(2048);
        var secrets = JwtSecrets(("k1", key));
        var (app, client) = await IdentityTestHost.StartAsync(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = "prod", ["APP_API_TOKEN"] = "t" }, secrets);
        await using var _ = app;
        using var __ = client;

        using var asProducer = await GetVersionsAsync(client, Token(key, "k1"));
        using var asOperator = await GetVersionsAsync(client, Token(key, "k1", roles: ["operator"]));
        using var anonymous = await client.GetAsync(SecretVersionEndpoint.Path);

        Assert.Equal(HttpStatusCode.Forbidden, asProducer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asOperator.StatusCode);
        var secret = Assert.Single((await asOperator.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secrets").EnumerateArray());
        Assert.Equal("jwt-signing-keys", secret.GetProperty("name").GetString());
        Assert.Equal(["k1"], secret.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(SecretVersion.FingerprintOf(secrets.Values["jwt-signing-keys"]), secret.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task The_api_key_versions_endpoint_is_for_operators_only()
    {
        var secrets = new FakeSecrets();
        secrets.Values["api-keys"] = IdentityTestHost.ApiKeysJson().TrimEnd().TrimEnd(']')
            + $$""", {"key_id":"k-op","key_sha256":"{{IdentityTestHost.Hash("operator-key")}}","principal":"HUMAN::olga","source_type":"HUMAN","roles":["operator"]}]""";
        var (app, client) = await IdentityTestHost.StartAsync(IdentityTestHost.LocalParity(), secrets);
        await using var _ = app;
        using var __ = client;

        using var asOperator = await GetVersionsWithKeyAsync(client, "operator-key");
        using var asProducer = await GetVersionsWithKeyAsync(client, IdentityTestHost.TrafficKey);

        Assert.Equal(HttpStatusCode.Forbidden, asProducer.StatusCode);
        var secret = Assert.Single((await asOperator.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secrets").EnumerateArray());
        Assert.Equal("api-keys", secret.GetProperty("name").GetString());
        Assert.Contains("k-op@1", secret.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.DoesNotContain(IdentityTestHost.Hash("operator-key"), await asOperator.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static (FakeSecrets Secrets, ManualTime Time, SecretStoreApiKeyDirectory Directory) Directory(SecretRefreshOptions? options = null, string? allowlist = null)
    {
        var secrets = new FakeSecrets();
        secrets.Values["api-keys"] = allowlist ?? IdentityTestHost.ApiKeysJson();
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (secrets, time, new SecretStoreApiKeyDirectory(secrets, time, options ?? Options));
    }

    private static IConfiguration Configuration(string? maxAge, string? minRefresh) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SecretRefreshOptions.MaxAgeVariable] = maxAge,
            [SecretRefreshOptions.MinRefreshVariable] = minRefresh,
        }).Build();

    private static FakeSecrets JwtSecrets(params (string Kid, RSA Key)[] keys)
    {
        var secrets = new FakeSecrets();
        secrets.Values["jwt-issuer"] = "https://issuer.platform.test";
        secrets.Values["jwt-audience"] = "platform-writers";
        secrets.Values["jwt-signing-keys"] = Jwks(keys);
        return secrets;
    }

    private static string Jwks(params (string Kid, RSA Key)[] keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k =>
        {
            var parameters = k.Key.ExportParameters(includePrivateParameters: false);
            return new { kty = "RSA", use = "sig", alg = "RS256", kid = k.Kid, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) };
        }),
    });

    private static string Token(RSA key, string kid, string[]? roles = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://issuer.platform.test",
        Audience = "platform-writers",
        Expires = DateTime.UtcNow.AddMinutes(5),
        Claims = new Dictionary<string, object> { ["sub"] = "HUMAN::olga", ["source_type"] = "HUMAN", ["roles"] = roles ?? ["producer:traffic"] },
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
    });

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/traffic") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetVersionsAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SecretVersionEndpoint.Path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetVersionsWithKeyAsync(HttpClient client, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SecretVersionEndpoint.Path);
        request.Headers.Add("X-Api-Key", apiKey);
        return await client.SendAsync(request);
    }
}
