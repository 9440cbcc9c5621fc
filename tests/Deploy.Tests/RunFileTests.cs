using Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>
/// deploy/local_parity/dapr.yaml (the <c>dapr run -f</c> file) agrees with apps.tsv and the component scopes: the same
/// app-ids, the local_parity components and Configuration, PLATFORM_ENV=local_parity, and every scoped app-id runs.
/// </summary>
public sealed class RunFileTests
{
    private static readonly string RunFile = Repo.PathOf("deploy", "local_parity", "dapr.yaml");

    private static YamlMappingNode Root => Yaml.LoadFile(RunFile)[0];

    private static List<YamlNode> RunApps => [.. Root.Items("apps")];

    private static string Resolve(string relative) => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(RunFile)!, relative));

    [Fact]
    public void The_run_file_starts_every_app_of_the_table_on_its_ports()
    {
        var apps = RunApps.ToDictionary(a => a.Scalar("appID")!, StringComparer.Ordinal);

        Assert.Equal(Repo.Apps.Select(a => a.AppId).Order(StringComparer.Ordinal), apps.Keys.Order(StringComparer.Ordinal));
        Assert.All(Repo.Apps.Where(a => apps[a.AppId].Scalar("appPort") is not null), a =>
            Assert.Equal(a.AppPort.ToString(System.Globalization.CultureInfo.InvariantCulture), apps[a.AppId].Scalar("appPort")));
    }

    [Fact]
    public void The_run_file_uses_the_local_parity_components_and_configuration()
    {
        var resources = Assert.Single(Root.Items("common", "resourcesPaths"));
        Assert.Equal(Repo.PathOf("components", "local_parity"), Resolve(((YamlScalarNode)resources).Value!));
        var configuration = Resolve(Root.Scalar("common", "configFilePath")!);
        Assert.Equal(Path.Combine(Repo.PathOf("components", "local_parity"), "config.yaml"), configuration);
        Assert.Equal(Repo.Configuration("local_parity").Name(), Yaml.LoadFile(configuration)[0].Name());
        Assert.Equal("local_parity", Root.Scalar("common", "env", "PLATFORM_ENV"));
        Assert.All(RunApps, a => Assert.Null(a.Node("resourcesPaths")));
    }

    [Fact]
    public void Every_app_id_the_local_components_scope_is_run_and_every_run_app_is_scoped()
    {
        var run = RunApps.Select(a => a.Scalar("appID")!).ToHashSet(StringComparer.Ordinal);
        var scoped = Repo.Components("local_parity").SelectMany(c => c.Scopes.Select(app => (c.Name, App: app))).ToList();

        Assert.All(scoped, s => Assert.True(run.Contains(s.App) || Repo.OperatorAppIds.Contains(s.App), $"components/local_parity/{s.Name} scopes '{s.App}', which dapr.yaml does not run"));
        Assert.All(run, app => Assert.Contains(app, scoped.Select(s => s.App)));
    }
}
