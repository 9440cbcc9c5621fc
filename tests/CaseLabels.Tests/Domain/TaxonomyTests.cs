using CaseLabels.Domain;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace CaseLabels.Tests.Domain;

public sealed class TaxonomyTests
{
    [Fact]
    public void The_v0_vocabulary_is_the_contracts()
    {
        var taxonomy = TestLabels.Policy.Taxonomy;

        Assert.Equal("label_store.taxonomy.v0", taxonomy.TaxonomyVersion);
        Assert.Equal(["chargeback_status", "fraud_disposition"], taxonomy.LabelTypes);
        Assert.Equal(["FRAUD_CONFIRMED", "FRAUD_SUSPECTED", "LEGIT_CONFIRMED"], taxonomy.ValuesOf("fraud_disposition").Order(StringComparer.Ordinal));
        Assert.Equal(["CHARGEBACK", "NO_CHARGEBACK", "PENDING"], taxonomy.ValuesOf("chargeback_status").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("chargeback_status", "CHARGEBACK", null)]
    [InlineData("fraud_disposition", "LEGIT_CONFIRMED", null)]
    [InlineData("fraud_disposition", "CHARGEBACK", "UNKNOWN_LABEL_VALUE")]
    [InlineData("chargeback_status", "chargeback", "UNKNOWN_LABEL_VALUE")]
    [InlineData("risk_score", "HIGH", "UNKNOWN_LABEL_TYPE")]
    public void Check_names_the_reason_a_type_or_value_is_not_in_the_vocabulary(string labelType, string value, string? reason) =>
        Assert.Equal(reason, TestLabels.Policy.Taxonomy.Check(labelType, value));

    [Fact]
    public void The_policy_rev_is_the_digest_of_the_taxonomy_file_under_its_contract_path()
    {
        var bytes = File.ReadAllBytes(SchemaContract.PathOf(LabelPolicy.TaxonomyPath));
        var expected = PolicyRev.Compute("label_policy", "label_store.taxonomy.v0", [new PolicyFile("labels/label_store.taxonomy.v0.json", bytes)]);

        Assert.Equal(expected, TestLabels.Policy.PolicyRev);
        Assert.True(TestLabels.Policy.PolicyRev.IsNamedBy(expected.ContentDigest));
        Assert.False(TestLabels.Policy.PolicyRev.IsNamedBy(new string('0', 64)));
    }

    [Fact]
    public void Reformatting_the_taxonomy_keeps_its_policy_rev_and_changing_a_value_moves_it()
    {
        var original = File.ReadAllText(SchemaContract.PathOf(LabelPolicy.TaxonomyPath));
        var reformatted = Copy(original.Replace("\n", "\n\n", StringComparison.Ordinal).Replace("  ", "    ", StringComparison.Ordinal));
        var changed = Copy(original.Replace("\"PENDING\"", "\"PENDING\", \"REVERSED\"", StringComparison.Ordinal));

        Assert.Equal(TestLabels.Policy.PolicyRev, LabelPolicy.Load(reformatted).PolicyRev);
        var moved = LabelPolicy.Load(changed);
        Assert.NotEqual(TestLabels.Policy.PolicyRev.ContentDigest, moved.PolicyRev.ContentDigest);
        Assert.Null(moved.Taxonomy.Check("chargeback_status", "REVERSED"));
    }

    [Theory]
    [InlineData("\"values\": [\"CHARGEBACK\", \"NO_CHARGEBACK\", \"PENDING\"]", "\"values\": []")]
    [InlineData("\"values\": [\"CHARGEBACK\", \"NO_CHARGEBACK\", \"PENDING\"]", "\"values\": [\"lower_case\"]")]
    [InlineData("\"taxonomy_version\": \"label_store.taxonomy.v0\"", "\"taxonomy_version\": \"latest\"")]
    public void A_taxonomy_that_breaks_its_meta_schema_refuses_to_start(string from, string to)
    {
        var broken = Copy(File.ReadAllText(SchemaContract.PathOf(LabelPolicy.TaxonomyPath)).Replace(from, to, StringComparison.Ordinal));

        var refusal = Assert.Throws<PlatformStartupException>(() => LabelPolicy.Load(broken));
        Assert.Contains(LabelPolicy.TaxonomyPath, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_taxonomy_refuses_to_start()
    {
        var root = Copy(File.ReadAllText(SchemaContract.PathOf(LabelPolicy.TaxonomyPath)));
        File.Delete(Path.Combine(root, LabelPolicy.TaxonomyPath));

        Assert.Throws<PlatformStartupException>(() => LabelPolicy.Load(root));
    }

    /// <summary>A schemas directory holding the label schemas with <paramref name="taxonomy"/> as the taxonomy file.</summary>
    private static string Copy(string taxonomy)
    {
        var root = Directory.CreateTempSubdirectory("cm-taxonomy-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "labels"));
        foreach (var file in Directory.EnumerateFiles(SchemaContract.PathOf("labels")))
        {
            File.Copy(file, Path.Combine(root, "labels", Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(root, LabelPolicy.TaxonomyPath), taxonomy);
        return root;
    }
}
