using System.Text.Json.Nodes;
using IngestionGate.Domain;
using Platform.Substrate.Environments;
using Platform.Substrate.Identity;

namespace IngestionGate.Tests;

/// <summary>The policy as the app ships it (the schemas copied next to the binaries) and an evaluator over it.</summary>
internal static class TestPolicy
{
    public static string ShippedSchemas { get; } = Path.Combine(AppContext.BaseDirectory, "schemas");

    public static IgPolicy Shipped { get; } = IgPolicy.Load(ShippedSchemas);

    public static AdmissionEvaluator Evaluator { get; } = new(Shipped, new RoleWriterAuthorizer());

    public static PlatformRuntime Runtime { get; } = DevRuntime() with { PolicyRev = Shipped.PolicyRev };

    public static Provenance Provenance { get; } = Runtime.ProvenanceFor(new string('c', 64));

    private static PlatformRuntime DevRuntime() => PlatformRuntime.FromEnvironment(
        "ig", name => name switch { "PLATFORM_ENV" => "dev", "SERVICE_RELEASE_ID" => "sha256:" + new string('e', 64), _ => null });
}

/// <summary>A private, editable copy of the shipped schemas directory, for policies that differ from the shipped one.</summary>
internal sealed class PolicyDirectory : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ig-policy-");

    public PolicyDirectory()
    {
        foreach (var file in Directory.EnumerateFiles(TestPolicy.ShippedSchemas, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_root.FullName, Path.GetRelativePath(TestPolicy.ShippedSchemas, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Root => _root.FullName;

    public string FullPath(string relativePath) => Path.Combine(_root.FullName, relativePath);

    /// <summary>Edits a JSON file in place.</summary>
    public PolicyDirectory Edit(string relativePath, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(FullPath(relativePath)))!.AsObject();
        edit(node);
        File.WriteAllText(FullPath(relativePath), node.ToJsonString());
        return this;
    }

    public IgPolicy Load() => IgPolicy.Load(_root.FullName);

    public AdmissionEvaluator Evaluator() => new(Load(), new RoleWriterAuthorizer());

    public void Dispose() => _root.Delete(recursive: true);
}
