using DaprHarness.State;

namespace DaprHarness.Tests.State;

/// <summary>daprd's key prefixing rules (dapr/dapr release-1.17 pkg/components/state/state_config.go).</summary>
public sealed class StateKeyPrefixTests
{
    [Theory]
    [InlineData(null, null, "app||k")]
    [InlineData("", null, "app||k")]
    [InlineData("appid", "prod", "app||k")]
    [InlineData("AppID", null, "app||k")]
    [InlineData("name", null, "store||k")]
    [InlineData("none", null, "k")]
    [InlineData("namespace", "prod", "prod.app||k")]
    [InlineData("namespace", null, "app||k")]
    [InlineData("Custom", null, "custom||k")]
    public void Apply_follows_the_strategy(string? metadata, string? ns, string expected)
    {
        Assert.True(StateKeyPrefix.TryParse(metadata, out var prefix));
        Assert.Equal(expected, prefix.Apply("k", "store", "app", ns));
    }

    [Fact]
    public void Prefix_containing_the_separator_is_refused()
    {
        Assert.False(StateKeyPrefix.TryParse("a||b", out _));
        Assert.Equal("input key/keyPrefix 'a||b' can't contain '||'", StateKeyPrefix.IllegalMessage("a||b"));
    }

    [Theory]
    [InlineData("app||k", "k")]
    [InlineData("prod.app||k", "k")]
    [InlineData("k", "k")]
    [InlineData("a||b||c", "b")]
    public void Original_is_the_part_after_the_first_separator(string stored, string expected) =>
        Assert.Equal(expected, StateKeyPrefix.Original(stored));
}
