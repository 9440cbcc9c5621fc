using System.Text.Json.Nodes;
using IngestionGate.Domain;
using Platform.Substrate.Pinning;

namespace IngestionGate.Tests.Domain;

/// <summary>policy_rev identifies exactly the three IG policy files by content, wherever they sit.</summary>
public sealed class PolicyRevStabilityTests
{
    [Fact]
    public async Task The_digest_is_Substrates_policy_rev_over_exactly_the_three_policy_files()
    {
        var expected = await PolicyRev.FromFilesAsync(
            "ig_policy", "ig_policy.v0.1", TestPolicy.ShippedSchemas, IgPolicy.PolicyPaths, CancellationToken.None);
        Assert.Equal(expected, TestPolicy.Shipped.PolicyRev);
    }

    [Fact]
    public void The_same_files_anywhere_give_the_same_policy_rev()
    {
        using var copy = new PolicyDirectory();
        Assert.Equal(TestPolicy.Shipped.PolicyRev, copy.Load().PolicyRev);
        Assert.Equal(copy.Load().PolicyRev, copy.Load().PolicyRev);
    }

    [Fact]
    public void Reformatting_a_policy_file_keeps_the_digest()
    {
        using var copy = new PolicyDirectory();
        var path = copy.FullPath(IgPolicy.ClassMapPath);
        File.WriteAllText(path, JsonNode.Parse(File.ReadAllText(path))!.ToJsonString());
        Assert.Equal(TestPolicy.Shipped.PolicyRev.ContentDigest, copy.Load().PolicyRev.ContentDigest);
    }

    [Theory]
    [InlineData(IgPolicy.ClassMapPath, "Card transactions", "Card transactionz")]
    [InlineData(IgPolicy.SchemaPolicyPath, "\"v1\"", "\"v2\"")]
    [InlineData(IgPolicy.PartitioningProfilesPath, "\"payload.flow_id\"", "\"payload.flow_ie\"")]
    public void Changing_one_byte_of_content_in_any_policy_file_changes_the_digest(string file, string from, string to)
    {
        using var copy = new PolicyDirectory();
        var path = copy.FullPath(file);
        var text = File.ReadAllText(path);
        var index = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(index >= 0);
        File.WriteAllText(path, text[..index] + to + text[(index + from.Length)..]);

        Assert.NotEqual(TestPolicy.Shipped.PolicyRev.ContentDigest, copy.Load().PolicyRev.ContentDigest);
    }

    [Fact]
    public void The_revision_label_is_part_of_the_content()
    {
        using var copy = new PolicyDirectory().Edit(IgPolicy.ClassMapPath, p => p["revision"] = "ig_policy.v0.2");
        var rev = copy.Load().PolicyRev;
        Assert.Equal("ig_policy.v0.2", rev.Revision);
        Assert.NotEqual(TestPolicy.Shipped.PolicyRev.ContentDigest, rev.ContentDigest);
    }

    [Fact]
    public void Files_outside_the_three_do_not_take_part()
    {
        using var copy = new PolicyDirectory().Edit("payloads/transaction.v1.schema.json", s => s["description"] = "edited");
        Assert.Equal(TestPolicy.Shipped.PolicyRev, copy.Load().PolicyRev);
    }
}
