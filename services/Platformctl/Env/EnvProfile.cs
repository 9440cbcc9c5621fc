using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Release;
using Platformctl.Parity;

namespace Platformctl.Env;

/// <summary>
/// What an env is, read from the repository's component set and parity contract: the set platformctl and the apps
/// load, the apps, the secret store behind <c>secretstore</c>, tracing and mTLS posture, and the release id rule.
/// </summary>
public sealed record EnvProfile(
    PlatformEnvironment Environment,
    string ComponentSet,
    IReadOnlyList<string> Apps,
    IReadOnlyList<string> OperatorAppIds,
    string SecretStoreType,
    string TracingSamplingRate,
    string AccessControlDefault,
    string Mtls,
    string ReleaseIdRule,
    string ServiceReleaseId)
{
    public static EnvProfile Read(string root, PlatformEnvironment environment, Func<string, string?> readVariable)
    {
        var contract = ParityContract.Load(Path.Combine(root, "components", ParityContract.FileName));
        var set = Path.Combine("components", environment.ToWireName());
        var directory = Path.Combine(root, set);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{set}: no component set for {environment.ToWireName()}");
        }

        YamlResource? Resource(string file, string? name = null) =>
            File.Exists(Path.Combine(directory, file))
                ? YamlResource.Load(Path.Combine(directory, file)).FirstOrDefault(r => name is null || r.Name == name)
                : null;

        var secretStore = Directory.EnumerateFiles(directory, "*.yaml")
            .SelectMany(YamlResource.Load)
            .FirstOrDefault(r => r.Kind == "Component" && r.Name == contract.SecretStore);
        var flatConfig = Resource(contract.ConfigurationFile) is { } config ? FieldPaths.Flatten(config.Root) : [];
        var flatSystem = Resource(contract.ControlPlaneFile) is { } system ? FieldPaths.Flatten(system.Root) : [];
        return new EnvProfile(
            environment,
            set.Replace('\\', '/'),
            contract.Apps,
            contract.OperatorAppIds,
            secretStore?.Type ?? "(none)",
            flatConfig.GetValueOrDefault("spec.tracing.samplingRate") ?? "(Dapr default 0.0001)",
            flatConfig.GetValueOrDefault("spec.accessControl.defaultAction") ?? "allow (Dapr default)",
            flatSystem.GetValueOrDefault("spec.mtls.enabled") is "true" ? "on" : "off",
            ReleaseRule(environment),
            ResolveRelease(environment, readVariable));
    }

    public IReadOnlyList<IReadOnlyList<string>> Rows() =>
    [
        [PlatformEnvironments.VariableName, Environment.ToWireName()],
        ["component_set", ComponentSet],
        ["apps", string.Join(", ", Apps)],
        ["operator_app_ids", string.Join(", ", OperatorAppIds)],
        ["secret_store", SecretStoreType],
        ["tracing_sampling_rate", TracingSamplingRate],
        ["access_control_default", AccessControlDefault],
        ["mtls", Mtls],
        ["release_id_rule", ReleaseIdRule],
        [ServiceRelease.VariableName, ServiceReleaseId],
    ];

    private static string ReleaseRule(PlatformEnvironment environment) => environment == PlatformEnvironment.LocalParity
        ? $"{ServiceRelease.VariableName} optional: without it a process derives local-git-<sha> (or local-mvid-<hex>) and says so"
        : $"{ServiceRelease.VariableName} required: image digest sha256:<hex>, git SHA, or image reference with a tag/digest ('latest' refused)";

    /// <summary>What this process would record as service_release_id in the env, or why it would refuse to start.</summary>
    private static string ResolveRelease(PlatformEnvironment environment, Func<string, string?> readVariable)
    {
        try
        {
            return ServiceRelease.Resolve(environment, readVariable).Id;
        }
        catch (PlatformStartupException e)
        {
            return $"refused: {e.Message}";
        }
    }
}
