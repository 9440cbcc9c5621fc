using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Pinning;

public class CanonicalJsonTests
{
    private static readonly string VectorDirectory = Path.Combine(AppContext.BaseDirectory, "Pinning", "TestData", "jcs");

    public static TheoryData<string> Vectors()
    {
        var names = Directory.GetFiles(VectorDirectory, "*.input.json")
            .Select(path => Path.GetFileName(path)[..^".input.json".Length])
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(names);
        return [.. names];
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Canonicalizes_the_test_vectors_byte_for_byte(string name)
    {
        var input = File.ReadAllBytes(Path.Combine(VectorDirectory, name + ".input.json"));
        var expected = File.ReadAllText(Path.Combine(VectorDirectory, name + ".expected.json"), Encoding.UTF8).TrimEnd('\n');

        var canonical = CanonicalJson.Canonicalize(input);

        Assert.Equal(expected, Encoding.UTF8.GetString(canonical));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), canonical);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void JsonNode_JsonElement_and_bytes_canonicalize_alike(string name)
    {
        var input = File.ReadAllBytes(Path.Combine(VectorDirectory, name + ".input.json"));
        using var document = JsonDocument.Parse(input);
        var node = JsonNode.Parse(input);

        var fromBytes = CanonicalJson.Canonicalize(input);

        Assert.Equal(fromBytes, CanonicalJson.Serialize(document.RootElement));
        Assert.Equal(fromBytes, CanonicalJson.Serialize(node));
        Assert.Equal(fromBytes, CanonicalJson.Canonicalize(fromBytes));
    }

    [Fact]
    public void Records_serialize_in_snake_case_with_sorted_members()
    {
        var value = new Sample(ZuluField: "z", AlphaField: 0.5, NestedThing: new Nested(["b", "a"]));

        var canonical = Encoding.UTF8.GetString(CanonicalJson.Serialize(value));

        Assert.Equal("""{"alpha_field":0.5,"nested_thing":{"items":["b","a"]},"zulu_field":"z"}""", canonical);
    }

    [Fact]
    public void Programmatic_nodes_with_clr_numbers_print_as_doubles()
    {
        var node = new JsonObject { ["m"] = 1.10m, ["l"] = 10_000_000_000_000_000_000m, ["i"] = 7, ["f"] = 0.1f, ["d"] = 1e-7 };

        var canonical = Encoding.UTF8.GetString(CanonicalJson.Serialize(node));

        Assert.Equal("""{"d":1e-7,"f":0.1,"i":7,"l":10000000000000000000,"m":1.1}""", canonical);
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "Duplicate member name 'a'")]
    [InlineData("""{"x":{"b":1,"c":2,"b":3}}""", "Duplicate member name 'b'")]
    [InlineData("""["\ud800"]""", "lone surrogate")]
    [InlineData("""{"\udc00":1}""", "lone surrogate")]
    [InlineData("[1e400]", "outside the IEEE-754 double range")]
    [InlineData("[-1e309]", "outside the IEEE-754 double range")]
    [InlineData("""{"a":1,}""", "Not valid JSON")]
    [InlineData("[1] // comment", "Not valid JSON")]
    [InlineData("[NaN]", "Not valid JSON")]
    [InlineData("[01]", "Not valid JSON")]
    [InlineData("", "Not valid JSON")]
    public void Refuses_input_that_is_not_I_JSON(string json, string reason)
    {
        var exception = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_in_a_CLR_string_becomes_the_replacement_character()
    {
        // System.Text.Json replaces it while serializing, before canonicalization sees it (documented on CanonicalJson).
        var node = new JsonObject { ["s"] = "a\ud800b" };

        Assert.Equal("{\"s\":\"a\ufffdb\"}", Encoding.UTF8.GetString(CanonicalJson.Serialize(node)));
    }

    [Fact]
    public void Formatting_and_member_order_do_not_change_the_bytes()
    {
        var compact = CanonicalJson.Canonicalize("""{"b":[1,2,{"d":true,"c":null}],"a":"x"}"""u8.ToArray());
        var spread = CanonicalJson.Canonicalize("""
            {
              "a" : "x",
              "b" : [ 1.0, 2E0, { "c" : null, "d" : true } ]
            }
            """u8.ToArray());

        Assert.Equal(compact, spread);
    }

    private sealed record Sample(string ZuluField, double AlphaField, Nested NestedThing);

    private sealed record Nested(IReadOnlyList<string> Items);
}
