using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace Platformctl.Secrets;

/// <summary>The <c>details</c> of a SECRET_ROTATED fact: names, versions and a fingerprint, never a value.</summary>
public sealed record SecretRotatedDetails(
    string SecretName,
    string SecretStore,
    string Version,
    string Action,
    string? Fingerprint,
    IReadOnlyList<string> RetiredVersions);

/// <summary>Where a governance fact goes; says where it went.</summary>
public interface IFactSink
{
    Task<string> RecordAsync(GovernanceFact fact, CancellationToken cancellationToken);
}

/// <summary>Through a sidecar (object store + governance stream), as every platform app emits facts.</summary>
public sealed class SidecarFactSink(DaprClient client) : IFactSink
{
    public async Task<string> RecordAsync(GovernanceFact fact, CancellationToken cancellationToken)
    {
        var emitter = new GovernanceFactEmitter(new DaprObjectStore(client), new DaprEventBus(client, TimeProvider.System), NullLogger<GovernanceFactEmitter>.Instance);
        var emission = await emitter.EmitAsync(fact, cancellationToken);
        return $"recorded through the sidecar: object {emission.ObjectKey} ({emission.Outcome}), published on {PlatformNames.Streams.Governance.StreamName}";
    }
}

/// <summary>
/// No sidecar at hand: the fact is written write-once under <c>&lt;root&gt;/&lt;platform_run_id&gt;/obs/governance/&lt;fact_id&gt;.json</c>,
/// the object store's layout, so it can be copied there later as it is.
/// </summary>
public sealed class LocalFactLog(string root) : IFactSink
{
    public string Root { get; } = root;

    public async Task<string> RecordAsync(GovernanceFact fact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fact);
        fact.Validate();
        var path = Path.Combine(Root, GovernanceFactEmitter.ObjectKey(fact.Pins.PlatformRunId, fact.FactId));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            await file.WriteAsync(CanonicalJson.Serialize(fact), cancellationToken);
        }
        catch (IOException) when (File.Exists(path))
        {
            return $"already in the local fact log: {path}";
        }

        return $"NO SIDECAR (DAPR_GRPC_ENDPOINT not set): written to the local fact log {path}; copy it to the object store under the same key";
    }
}

public static class RotationFacts
{
    public const string SourceComponent = "platformctl";

    /// <summary>
    /// The SECRET_ROTATED fact of a rotation by <paramref name="actor"/> in <paramref name="runId"/>;
    /// <paramref name="fingerprint"/> is the new value's (null when the value was changed elsewhere, in dev/prod).
    /// </summary>
    public static GovernanceFact SecretRotated(
        string secretName,
        string version,
        string action,
        string? fingerprint,
        IReadOnlyList<string> retired,
        GovernanceActor actor,
        string runId,
        PlatformRuntime runtime,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var details = new SecretRotatedDetails(secretName, PlatformNames.Components.SecretStore, version, action, fingerprint, retired);
        return GovernanceFact.Create(
            GovernanceFactType.SecretRotated,
            actor,
            new GovernancePins(runId),
            runtime.ProvenanceFor(null),
            $"{secretName}|{version}|{action}",
            details,
            now);
    }
}
