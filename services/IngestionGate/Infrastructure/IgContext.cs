using IngestionGate.Domain;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace IngestionGate.Infrastructure;

/// <summary>
/// What every IG record is stamped with, fixed at start-up: the policy, its policy_rev and the provenance
/// <c>{service_release_id, environment, config_revision, run_config_digest}</c>.
/// </summary>
/// <remarks>
/// IG's run config is the contract set it decides with: the policy_rev plus the SHA-256 of every file under
/// <c>schemas/</c> (the envelope and payload schemas are not part of policy_rev but change decisions too).
/// <c>run_config_digest</c> = H(<c>{service, policy_rev, schema_files: [{path, sha256}]}</c>), paths sorted.
/// </remarks>
public sealed class IgContext
{
    public IgContext(IgPolicy policy, PlatformRuntime runtime, string schemasDirectory)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(runtime);
        Policy = policy;
        Runtime = runtime;
        RunConfigDigest = Platform.Substrate.Pinning.RunConfigDigest.Compute(new IgRunConfig(runtime.ServiceName, policy.PolicyRev, SchemaFiles(schemasDirectory)));
        Provenance = runtime.ProvenanceFor(RunConfigDigest);
    }

    public IgPolicy Policy { get; }

    public PolicyRev PolicyRev => Policy.PolicyRev;

    public PlatformRuntime Runtime { get; }

    public string RunConfigDigest { get; }

    public Provenance Provenance { get; }

    private static List<SchemaFile> SchemaFiles(string schemasDirectory)
    {
        var root = Path.GetFullPath(schemasDirectory);
        return Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(path => new SchemaFile(
                Path.GetRelativePath(root, path).Replace('\\', '/'),
                Digests.Sha256Hex(File.ReadAllBytes(path))))
            .OrderBy(file => file.Path, StringComparer.Ordinal)
            .ToList();
    }

    private sealed record IgRunConfig(string Service, PolicyRev PolicyRev, IReadOnlyList<SchemaFile> SchemaFiles);

    private sealed record SchemaFile(string Path, string Sha256);
}
