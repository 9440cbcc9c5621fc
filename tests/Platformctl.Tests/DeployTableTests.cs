using Platform.Substrate.BuildingBlocks;
using Platform.Testing;
using Platformctl.Smoke;
using YamlDotNet.RepresentationModel;

namespace Platformctl.Tests;

/// <summary>
/// deploy/local_parity/apps.tsv drives run.sh (harness) and platformctl smoke; dapr.yaml drives `dapr run -f`.
/// They must describe the same apps, ports and commands, and every app must be in some component's scopes.
/// </summary>
public sealed class DeployTableTests
{
    private static readonly string Deploy = Path.Combine(RepoPaths.Root, "deploy", "local_parity");

    private static List<string[]> Rows() =>
        File.ReadAllLines(Path.Combine(Deploy, "apps.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .ToList();

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static List<YamlMappingNode> RunFileApps() =>
        ((YamlSequenceNode)Load(Path.Combine(Deploy, "dapr.yaml"))["apps"]).Children.Cast<YamlMappingNode>().ToList();

    private static string? Field(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    [Fact]
    public void The_table_lists_exactly_the_platforms_app_ids()
    {
        Assert.Equal(PlatformNames.AppIds.All, Rows().Select(r => r[0]));
        Assert.Equal(PlatformNames.AppIds.All, SidecarTable.Read(Path.Combine(Deploy, "apps.tsv")).Select(s => s.AppId));
    }

    [Fact]
    public void The_multi_app_run_file_matches_the_table()
    {
        var apps = RunFileApps().ToDictionary(a => Field(a, "appID")!);
        Assert.Equal(Rows().Select(r => r[0]).Order(), apps.Keys.Order());
        foreach (var row in Rows())
        {
            var app = apps[row[0]];
            Assert.Equal(row[2], Field(app, "daprHTTPPort"));
            Assert.Equal(row[3], Field(app, "daprGRPCPort"));
            if (row[4] == "-")
            {
                Assert.Null(Field(app, "appPort"));
                Assert.False(app.Children.ContainsKey(new YamlScalarNode("command")), $"{row[0]} has no service yet, so no command");
            }
            else
            {
                Assert.Equal(row[1], Field(app, "appPort"));
                Assert.Equal($"../../services/{row[4]}", Field(app, "appDirPath"));
                Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "services", row[4], $"{row[4]}.csproj")), $"services/{row[4]} exists");
                var command = ((YamlSequenceNode)app["command"]).Children.Select(c => ((YamlScalarNode)c).Value).ToList();
                Assert.Contains($"bin/Debug/net10.0/{row[4]}.dll", command);
                Assert.Contains($"http://127.0.0.1:{row[1]}", command);
            }
        }
    }

    [Fact]
    public void Every_app_is_in_the_scopes_of_some_local_parity_component()
    {
        var scoped = Directory.EnumerateFiles(RepoPaths.Components("local_parity"), "*.yaml")
            .Select(Load)
            .Where(root => Field(root, "kind") == "Component" && root.Children.ContainsKey(new YamlScalarNode("scopes")))
            .SelectMany(root => ((YamlSequenceNode)root["scopes"]).Children.Select(c => ((YamlScalarNode)c).Value!))
            .ToHashSet();
        Assert.All(PlatformNames.AppIds.All, app => Assert.Contains(app, scoped));
    }
}
