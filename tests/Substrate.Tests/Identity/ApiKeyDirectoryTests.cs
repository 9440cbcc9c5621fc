using Platform.Substrate.Identity;

namespace Platform.Substrate.Tests.Identity;

public sealed class ApiKeyDirectoryTests
{
    [Fact]
    public void Matching_compares_the_hash_with_every_entry_even_after_a_hit()
    {
        var allowlist = ApiKeyAllowlist.Parse(IdentityTestHost.ApiKeysJson());
        var comparisons = 0;
        var lengths = new List<int>();

        var match = allowlist.Match(IdentityTestHost.TrafficKey, (left, right) =>
        {
            comparisons++;
            lengths.Add(left.Length);
            return left.SequenceEqual(right);
        });

        Assert.Equal("k-traffic", match?.KeyId);
        Assert.Equal(allowlist.Count, comparisons);
        Assert.All(lengths, length => Assert.Equal(32, length));
    }

    [Fact]
    public void The_default_match_finds_entries_and_rejects_unknown_keys()
    {
        var allowlist = ApiKeyAllowlist.Parse(IdentityTestHost.ApiKeysJson());

        Assert.Equal("k-context", allowlist.Match(IdentityTestHost.ContextKey)?.KeyId);
        Assert.Null(allowlist.Match("context-producer-key "));
        Assert.Null(allowlist.Match(string.Empty));
    }

    [Theory]
    [InlineData("ABCDEF")]
    [InlineData("not-hex")]
    public void A_hash_that_is_not_64_lowercase_hex_rejects_the_allowlist(string badHash)
    {
        var hash = badHash.PadRight(64, 'a');
        var json = $$"""[{"key_id":"k","key_sha256":"{{hash}}","principal":"p","source_type":"SYSTEM","roles":[]}]""";

        Assert.Throws<InvalidDataException>(() => ApiKeyAllowlist.Parse(json));
    }

    [Fact]
    public void Uppercase_hex_is_rejected_because_the_format_says_lowercase()
    {
        var json = $$"""[{"key_id":"k","key_sha256":"{{IdentityTestHost.Hash("x").ToUpperInvariant()}}","principal":"p","source_type":"SYSTEM","roles":[]}]""";

        Assert.Throws<InvalidDataException>(() => ApiKeyAllowlist.Parse(json));
    }

    [Theory]
    [InlineData("system")]
    [InlineData("")]
    [InlineData("SERVICE")]
    public void An_entry_without_a_valid_source_type_rejects_the_allowlist(string sourceType)
    {
        var json = $$"""[{"key_id":"k","key_sha256":"{{IdentityTestHost.Hash("x")}}","principal":"p","source_type":"{{sourceType}}","roles":[]}]""";

        Assert.Throws<InvalidDataException>(() => ApiKeyAllowlist.Parse(json));
    }

    [Fact]
    public void The_same_key_twice_is_ambiguous_and_rejected()
    {
        var hash = IdentityTestHost.Hash("x");
        var json = $$"""
            [{"key_id":"a","key_sha256":"{{hash}}","principal":"p","source_type":"SYSTEM","roles":[]},
             {"key_id":"b","key_sha256":"{{hash}}","principal":"q","source_type":"SYSTEM","roles":[]}]
            """;

        Assert.Throws<InvalidDataException>(() => ApiKeyAllowlist.Parse(json));
    }

    [Fact]
    public async Task The_directory_rereads_the_secret_only_after_its_cache_lifetime()
    {
        var secrets = new FakeSecrets();
        secrets.Values["api-keys"] = IdentityTestHost.ApiKeysJson();
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var directory = new SecretStoreApiKeyDirectory(secrets, time);

        Assert.NotNull(await directory.FindAsync(IdentityTestHost.TrafficKey, CancellationToken.None));
        secrets.Values["api-keys"] = "[]"; // the traffic key is revoked
        time.Now += SecretStoreApiKeyDirectory.CacheLifetime - TimeSpan.FromSeconds(1);
        var beforeExpiry = await directory.FindAsync(IdentityTestHost.TrafficKey, CancellationToken.None);
        time.Now += TimeSpan.FromSeconds(2);
        var afterExpiry = await directory.FindAsync(IdentityTestHost.TrafficKey, CancellationToken.None);

        Assert.NotNull(beforeExpiry);
        Assert.Null(afterExpiry);
        Assert.Equal(2, secrets.Reads);
    }

    [Fact]
    public async Task A_secret_store_failure_is_not_an_empty_allowlist()
    {
        using var directory = new SecretStoreApiKeyDirectory(new FakeSecrets(), TimeProvider.System);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => directory.FindAsync("any", CancellationToken.None));
    }
}
