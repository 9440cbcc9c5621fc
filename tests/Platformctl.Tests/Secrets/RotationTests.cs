using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;
using Platformctl.Secrets;

namespace Platformctl.Tests.Secrets;

/// <summary>The rotation of the two identity secrets: new versions next to the old ones, retirement, never a raw key stored.</summary>
public sealed class RotationTests
{
    internal static string Allowlist(params (string KeyId, string RawKey, int? Version)[] keys) =>
        JsonSerializer.Serialize(
            keys.Select(k => new ApiKeyEntry(k.KeyId, ApiKeyEntry.HashOf(k.RawKey), $"SYSTEM::{k.KeyId}", "SYSTEM", ["producer:traffic"], k.Version)),
            PlatformJson.Options);

    private static List<ApiKeyEntry> Entries(string json) => JsonSerializer.Deserialize<List<ApiKeyEntry>>(json, PlatformJson.Options)!;

    [Fact]
    public void A_new_api_key_version_is_added_next_to_the_old_one_with_only_its_hash()
    {
        var outcome = ApiKeyRotation.AddVersion(Allowlist(("producer", "old-key", null), ("operator", "op-key", null)), "producer", () => "new-key");

        var entries = Entries(outcome.SecretValue);
        Assert.Equal(["producer@1", "operator@1", "producer@2"], entries.Select(e => $"{e.KeyId}@{e.EffectiveVersion}"));
        var added = entries[^1];
        Assert.Equal((ApiKeyEntry.HashOf("new-key"), "SYSTEM::producer", "SYSTEM"), (added.KeySha256, added.Principal, added.SourceType));
        Assert.Equal(["producer:traffic"], added.Roles);
        Assert.Equal(("producer@2", "added", "new-key"), (outcome.Version, outcome.Action, outcome.NewCredential));
        Assert.DoesNotContain("new-key", outcome.SecretValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Retiring_keeps_only_the_newest_version_of_that_key_id()
    {
        var twice = ApiKeyRotation.AddVersion(
            ApiKeyRotation.AddVersion(Allowlist(("producer", "k1", null), ("operator", "op", null)), "producer", () => "k2").SecretValue,
            "producer",
            () => "k3");

        var retired = ApiKeyRotation.RetireOld(twice.SecretValue, "producer");

        Assert.Equal(["operator@1", "producer@3"], Entries(retired.SecretValue).Select(e => $"{e.KeyId}@{e.EffectiveVersion}"));
        Assert.Equal(["producer@1", "producer@2"], retired.Retired);
        Assert.Equal(("producer@3", "retired_old", null), (retired.Version, retired.Action, retired.NewCredential));
    }

    [Fact]
    public void The_key_id_must_be_named_when_the_allowlist_holds_several_and_must_exist()
    {
        var allowlist = Allowlist(("producer", "a", null), ("operator", "b", null));

        var ambiguous = Assert.Throws<RotationException>(() => ApiKeyRotation.AddVersion(allowlist, null, () => "x"));
        var unknown = Assert.Throws<RotationException>(() => ApiKeyRotation.AddVersion(allowlist, "nobody", () => "x"));
        var single = ApiKeyRotation.AddVersion(Allowlist(("only", "a", null)), null, () => "x");

        Assert.Contains("--key-id", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("producer, operator", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("only@2", single.Version);
    }

    [Fact]
    public void Retiring_with_a_single_version_is_refused()
    {
        Assert.Throws<RotationException>(() => ApiKeyRotation.RetireOld(Allowlist(("producer", "a", 4)), "producer"));
    }

    [Fact]
    public void New_raw_keys_have_the_generated_format_and_never_repeat()
    {
        var keys = Enumerable.Range(0, 50).Select(_ => ApiKeyRotation.NewRawKey()).ToList();

        Assert.All(keys, k => Assert.Matches("^pk_[A-Za-z0-9_-]{43}$", k));
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_new_signing_key_joins_the_jwks_and_tokens_it_signs_verify_against_the_public_set()
    {
        var (first, firstPrivate) = SigningKeyRotation.AddKey(null, null);
        var (second, secondPrivate) = SigningKeyRotation.AddKey(first.SecretValue, firstPrivate);

        var publicSet = new JsonWebKeySet(second.SecretValue);
        Assert.Equal(["jwt-v1", "jwt-v2"], publicSet.Keys.Select(k => k.Kid));
        Assert.All(publicSet.Keys, k => Assert.Null(k.D));
        Assert.Equal(("jwt-v1", "jwt-v2"), (first.Version, second.Version));
        var signingKey = new JsonWebKeySet(secondPrivate).Keys.Single(k => k.Kid == "jwt-v2");
        Assert.NotNull(signingKey.D);

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "i",
            Audience = "a",
            Expires = DateTime.UtcNow.AddMinutes(1),
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256),
        });
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "i",
            ValidAudience = "a",
            IssuerSigningKeys = publicSet.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public void Retiring_signing_keys_keeps_the_newest_in_both_sets()
    {
        var (first, firstPrivate) = SigningKeyRotation.AddKey(null, null);
        var (second, secondPrivate) = SigningKeyRotation.AddKey(first.SecretValue, firstPrivate);

        var (retired, retiredPrivate) = SigningKeyRotation.RetireOld(second.SecretValue, secondPrivate);

        Assert.Equal(["jwt-v2"], new JsonWebKeySet(retired.SecretValue).Keys.Select(k => k.Kid));
        Assert.Equal(["jwt-v2"], new JsonWebKeySet(retiredPrivate).Keys.Select(k => k.Kid));
        Assert.Equal(["jwt-v1"], retired.Retired);
        Assert.Throws<RotationException>(() => SigningKeyRotation.RetireOld(retired.SecretValue, retiredPrivate));
    }

    [Fact]
    public void A_secret_that_is_not_a_jwks_is_refused()
    {
        Assert.Throws<RotationException>(() => SigningKeyRotation.AddKey("""{"not":"a set"}""", null));
        Assert.IsType<JsonObject>(JsonNode.Parse(SigningKeyRotation.AddKey("""{"keys":[]}""", null).Public.SecretValue));
    }
}
