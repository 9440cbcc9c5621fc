using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Pinning;

public class DigestsTests
{
    [Fact]
    public void Sha256Hex_is_lowercase_hex_of_the_bytes()
    {
        // FIPS 180-2 example: SHA-256("abc").
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Digests.Sha256Hex("abc"u8));
    }

    [Fact]
    public void H_is_SHA256_over_the_canonical_json()
    {
        var node = JsonNode.Parse("""{ "b": 2.50, "a": [ "x" ] }""");

        var digest = Digests.Of(node);

        Assert.Equal(Digests.Sha256Hex("""{"a":["x"],"b":2.5}"""u8), digest);
        Assert.True(Digests.IsHex64(digest));
    }

    [Fact]
    public void H_does_not_depend_on_formatting_or_member_order()
    {
        using var first = JsonDocument.Parse("""{"event_type":"transaction","payload":{"amount":12.0,"currency":"EUR"}}""");
        using var second = JsonDocument.Parse("""
            { "payload": { "currency": "EUR", "amount": 1.2e1 },
              "event_type": "transaction" }
            """);

        Assert.Equal(Digests.Of(first.RootElement), Digests.Of(second.RootElement));
        Assert.NotEqual(Digests.Of(first.RootElement), Digests.Of(JsonNode.Parse("""{"event_type":"transaction","payload":{"amount":12.01,"currency":"EUR"}}""")));
    }

    [Fact]
    public void H_of_a_string_hashes_its_json_form()
    {
        Assert.Equal(Digests.Sha256Hex(Encoding.UTF8.GetBytes("\"a|b\"")), Digests.Of("a|b"));
    }

    [Fact]
    public void Hex32_is_the_first_32_characters()
    {
        var digest = Digests.Sha256Hex("abc"u8);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223", Digests.Hex32(digest));
    }

    [Theory]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("ba7816bf")]
    [InlineData("not hex at all, but long enough to pass a length check")]
    public void Hex32_refuses_what_is_not_a_lowercase_digest(string value)
    {
        Assert.Throws<ArgumentException>(() => Digests.Hex32(value));
    }

    [Theory]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", true)]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false)]
    [InlineData("ba7816bf8f01cfea414140de5dae2223", false)]
    [InlineData(null, false)]
    public void IsHex64_accepts_only_full_lowercase_digests(string? value, bool expected)
    {
        Assert.Equal(expected, Digests.IsHex64(value));
    }

    [Fact]
    public void RunConfigDigest_is_H_of_the_run_config()
    {
        var config = new RunConfig("fp.bus.traffic.v1", 3);

        Assert.Equal(Digests.Sha256Hex("""{"retention_days":3,"stream":"fp.bus.traffic.v1"}"""u8), RunConfigDigest.Compute(config));
    }

    private sealed record RunConfig(string Stream, int RetentionDays);
}
