using System.Globalization;
using Platform.Testing;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Infrastructure;

/// <summary>One row of deploy/local_parity/apps.tsv: the app-ids, their app ports and service folders ("-" = not landed).</summary>
internal sealed record AppRow(string AppId, int AppPort, string Folder);

/// <summary>A Dapr component file of components/&lt;env&gt;/.</summary>
internal sealed record ComponentFile(string Path, YamlMappingNode Root)
{
    public string Name => Root.Name();

    public string Type => Root.Scalar("spec", "type") ?? string.Empty;

    public IReadOnlyList<string> Scopes => [.. Root.Items("scopes").Select(s => ((YamlScalarNode)s).Value!)];

    /// <summary>The plain <c>value</c> of a metadata item, or null.</summary>
    public string? Metadata(string name) =>
        Root.Items("spec", "metadata").FirstOrDefault(m => m.Scalar("name") == name)?.Scalar("value");

    public IEnumerable<string> SecretKeyRefNames =>
        Root.Items("spec", "metadata").Select(m => m.Scalar("secretKeyRef", "name")).OfType<string>();
}

internal static class Repo
{
    public static readonly string[] Environments = ["local_parity", "dev", "prod"];
    public static readonly string[] Overlays = ["dev", "prod"];

    /// <summary>ARCHITECTURE.md §2 / seed §4: the only apps with public ingress.</summary>
    public static readonly string[] PublicApps = ["ig", "cm", "mpr"];

    public static string Root => RepoPaths.Root;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static IReadOnlyList<AppRow> Apps { get; } =
        [.. File.ReadAllLines(PathOf("deploy", "local_parity", "apps.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(c => new AppRow(c[0], int.Parse(c[1], CultureInfo.InvariantCulture), c[4]))];

    public static AppRow App(string appId) => Apps.Single(a => a.AppId == appId);

    /// <summary>The app-ids of operator tools that run with a sidecar of their own (components/parity-contract.yaml).</summary>
    public static IReadOnlyList<string> OperatorAppIds =>
        [.. Yaml.LoadFile(PathOf("components", "parity-contract.yaml"))[0].Items("operator_app_ids").Select(n => ((YamlScalarNode)n).Value!)];

    public static IReadOnlyList<string> ContractApps =>
        [.. Yaml.LoadFile(PathOf("components", "parity-contract.yaml"))[0].Items("apps").Select(n => ((YamlScalarNode)n).Value!)];

    public static IReadOnlyList<ComponentFile> Components(string environment) =>
        [.. Directory.EnumerateFiles(RepoPaths.Components(environment), "*.yaml")
            .Order(StringComparer.Ordinal)
            .SelectMany(path => Yaml.LoadFile(path).Select(root => new ComponentFile(path, root)))
            .Where(c => c.Root.Kind() == "Component")];

    /// <summary>The sidecar Configuration of an env set (config.yaml).</summary>
    public static YamlMappingNode Configuration(string environment) => Yaml.LoadFile(Path.Combine(RepoPaths.Components(environment), "config.yaml"))[0];
}
