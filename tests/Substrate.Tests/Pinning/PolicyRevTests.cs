using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Pinning;

public sealed class PolicyRevTests : IDisposable
{
    private const string ClassMap = """{ "transaction": "traffic", "flow_anchor": "context" }""";
    private const string SchemaPolicy = """{"default_action":"quarantine","event_types":{"transaction":{"schema_version_required":true}}}""";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("policy-rev-tests-");

    public void Dispose() => root.Delete(recursive: true);

    private static PolicyFile File(string path, string content) => new(path, Encoding.UTF8.GetBytes(content));

    [Fact]
    public void Content_digest_is_H_of_the_path_sorted_list_of_canonical_contents()
    {
        var rev = PolicyRev.Compute("ig_policy", "2026-11-27.1", [File("ig/schema_policy.json", SchemaPolicy), File("ig/class_map.json", ClassMap)]);

        var expectedList =
            "[" + """{"content":{"flow_anchor":"context","transaction":"traffic"},"path":"ig/class_map.json"}""" + ","
            + """{"content":{"default_action":"quarantine","event_types":{"transaction":{"schema_version_required":true}}},"path":"ig/schema_policy.json"}"""
            + "]";
        Assert.Equal(Digests.Sha256Hex(Encoding.UTF8.GetBytes(expectedList)), rev.ContentDigest);
        Assert.Equal("ig_policy", rev.PolicyId);
        Assert.Equal("2026-11-27.1", rev.Revision);
    }

    [Fact]
    public void Formatting_member_order_and_file_order_do_not_change_the_digest()
    {
        var first = PolicyRev.Compute("ig_policy", "a", [File("class_map.json", ClassMap), File("schema_policy.json", SchemaPolicy)]);
        var reformatted = PolicyRev.Compute("ig_policy", "b",
        [
            File("schema_policy.json", JsonSerializer.Serialize(JsonDocument.Parse(SchemaPolicy), Indented)),
            File("class_map.json", """{"flow_anchor":"context",  "transaction":"traffic"}"""),
        ]);

        Assert.Equal(first.ContentDigest, reformatted.ContentDigest);
    }

    [Fact]
    public void A_change_of_content_or_path_changes_the_digest()
    {
        var baseline = PolicyRev.Compute("ig_policy", "r", [File("class_map.json", ClassMap)]);
        var edited = PolicyRev.Compute("ig_policy", "r", [File("class_map.json", ClassMap.Replace("context", "traffic", StringComparison.Ordinal))]);
        var moved = PolicyRev.Compute("ig_policy", "r", [File("maps/class_map.json", ClassMap)]);

        Assert.NotEqual(baseline.ContentDigest, edited.ContentDigest);
        Assert.NotEqual(baseline.ContentDigest, moved.ContentDigest);
        Assert.Equal(baseline.ContentDigest, PolicyRev.Compute("ig_policy", "r", [File(@"class_map.json", ClassMap)]).ContentDigest);
    }

    [Fact]
    public void Backslash_paths_are_recorded_with_forward_slashes()
    {
        Assert.Equal(
            PolicyRev.Compute("p", "r", [File("ig/class_map.json", ClassMap)]).ContentDigest,
            PolicyRev.Compute("p", "r", [File(@"ig\class_map.json", ClassMap)]).ContentDigest);
    }

    [Theory]
    [InlineData("ig/class_map.yaml", "not a .json file")]
    [InlineData("ig/class_map.yml", "not a .json file")]
    [InlineData("/etc/class_map.json", "must be relative")]
    [InlineData("../class_map.json", "must be relative")]
    [InlineData("ig//class_map.json", "must be relative")]
    public void Refuses_unsupported_files_and_paths(string path, string reason)
    {
        var exception = Assert.Throws<PolicyFileException>(() => PolicyRev.Compute("p", "r", [File(path, ClassMap)]));

        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{"a":1,"a":2}""", "Duplicate member name")]
    public void Refuses_a_file_that_is_not_I_JSON_and_names_it(string content, string reason)
    {
        var exception = Assert.Throws<PolicyFileException>(() => PolicyRev.Compute("p", "r", [File("ig/broken.json", content)]));

        Assert.Contains("ig/broken.json", exception.Message, StringComparison.Ordinal);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_duplicates_and_an_empty_set()
    {
        Assert.Throws<PolicyFileException>(() => PolicyRev.Compute("p", "r", [File("a.json", "{}"), File("a.json", "{}")]));
        Assert.Throws<PolicyFileException>(() => PolicyRev.Compute("p", "r", []));
    }

    [Fact]
    public async Task Reads_the_files_relative_to_a_base_directory()
    {
        Directory.CreateDirectory(Path.Combine(root.FullName, "ig"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(root.FullName, "ig", "class_map.json"), ClassMap);
        await System.IO.File.WriteAllTextAsync(Path.Combine(root.FullName, "ig", "schema_policy.json"), SchemaPolicy);

        var fromDisk = await PolicyRev.FromFilesAsync("ig_policy", "r", root.FullName, ["ig/class_map.json", "ig/schema_policy.json"], CancellationToken.None);

        var inMemory = PolicyRev.Compute("ig_policy", "r", [File("ig/class_map.json", ClassMap), File("ig/schema_policy.json", SchemaPolicy)]);
        Assert.Equal(inMemory, fromDisk);
    }

    [Fact]
    public void Serializes_in_snake_case()
    {
        var rev = new PolicyRev("ig_policy", "r7", new string('c', 64));

        var json = JsonSerializer.Serialize(rev, PlatformJson.Options);

        Assert.Equal($$"""{"policy_id":"ig_policy","revision":"r7","content_digest":"{{new string('c', 64)}}"}""", json);
        Assert.Equal(rev, JsonSerializer.Deserialize<PolicyRev>(json, PlatformJson.Options));
    }
}
