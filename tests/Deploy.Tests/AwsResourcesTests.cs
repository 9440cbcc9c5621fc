using System.Globalization;
using Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>
/// deploy/aws-resources.md names every AWS resource the dev and prod component sets use: each stream of streams.tsv
/// with shard counts and retention, each Kinesis consumer's DynamoDB lease table, the object-store bucket with its
/// KMS key, the region, and every secret a component or an app reads.
/// </summary>
public sealed class AwsResourcesTests
{
    private static readonly string Document = File.ReadAllText(Repo.PathOf("deploy", "aws-resources.md"));

    public static TheoryData<string> CloudEnvironments => new(Repo.Overlays);

    /// <summary>The cells (backquotes removed) of the table rows whose first cell is <paramref name="first"/>.</summary>
    private static List<string[]> Rows(string first) =>
        [.. Document.Split('\n')
            .Where(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim().Trim('`')).ToArray())
            .Where(cells => cells[0] == first)];

    [Fact]
    public void Every_stream_has_shards_and_retention_per_env()
    {
        var streams = File.ReadAllLines(Repo.PathOf("deploy", "local_parity", "streams.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')[0]).ToList();
        Assert.NotEmpty(streams);
        Assert.All(streams, stream =>
        {
            var row = Assert.Single(Rows(stream));
            var numbers = row[1..5].Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(numbers[0] >= 1 && numbers[2] >= 1, $"{stream}: shard counts");
            Assert.True(numbers[1] is >= 24 and <= 8760 && numbers[3] is >= 24 and <= 8760, $"{stream}: Kinesis retention is 24 to 8760 hours");
        });
        foreach (var env in Repo.Environments)
        {
            Assert.All(Repo.Components(env).Where(c => c.Type == "bindings.aws.kinesis"), c => Assert.Contains(c.Metadata("streamName"), streams));
        }
    }

    [Theory]
    [MemberData(nameof(CloudEnvironments))]
    public void Every_kinesis_consumer_has_its_lease_table(string env)
    {
        var column = env == "dev" ? 2 : 3;
        var consumers = Repo.Components(env).Where(c => c.Type == "bindings.aws.kinesis" && c.Metadata("direction") == "input").ToList();
        Assert.NotEmpty(consumers);
        Assert.All(consumers, c =>
        {
            var row = Assert.Single(Rows(c.Name));
            Assert.Equal(c.Metadata("streamName"), row[1]);
            Assert.Equal(c.Metadata("consumerName"), row[column]);
        });
    }

    [Theory]
    [MemberData(nameof(CloudEnvironments))]
    public void The_bucket_region_and_kms_keys_of_the_env_are_listed(string env)
    {
        var objectStore = Repo.Components(env).Single(c => c.Name == "objectstore");
        var row = Assert.Single(Rows(env), r => r.Length > 1 && r[1] == objectStore.Metadata("bucket"));
        Assert.Equal($"alias/fp-platform-{env}-objects", row[2]);
        var regions = Repo.Components(env).Select(c => c.Metadata("region")).OfType<string>().Distinct().ToList();
        Assert.All(regions, region => Assert.Contains($"`{region}`", Document, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CloudEnvironments))]
    public void Every_secret_a_component_or_app_reads_is_listed(string env)
    {
        var referenced = Repo.Components(env).SelectMany(c => c.SecretKeyRefNames)
            .Concat(Repo.Configuration(env).Items("spec", "secrets", "scopes").SelectMany(s => s.Items("allowedSecrets")).Select(n => ((YamlScalarNode)n).Value!))
            .Concat(Kustomize.Overlay(env).Where(r => r.Kind() == "Deployment")
                .SelectMany(d => d.Items("spec", "template", "spec", "containers").SelectMany(c => c.Items("env")))
                .Select(e => e.Scalar("valueFrom", "secretKeyRef", "name")).OfType<string>())
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, secret => Assert.Single(Rows(secret)));
    }
}
