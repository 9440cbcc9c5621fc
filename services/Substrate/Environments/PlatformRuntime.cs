using System.Text.RegularExpressions;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;

namespace Platform.Substrate.Environments;

/// <summary>
/// What this process is, read once at startup: service name, environment profile, release id and (for services
/// governed by a policy) the policy_rev. Facts, receipts and manifests take their provenance from here only.
/// </summary>
public sealed partial record PlatformRuntime
{
    public PlatformRuntime(string serviceName, PlatformEnvironment environment, ServiceRelease release, PolicyRev? policyRev = null)
    {
        if (!ServiceNamePattern().IsMatch(serviceName ?? string.Empty))
        {
            throw new PlatformStartupException($"Service name '{serviceName}' must be lowercase kebab-case (e.g. 'ig', 'platformctl').");
        }

        if (!Enum.IsDefined(environment))
        {
            throw new PlatformStartupException($"{(int)environment} is not a platform environment.");
        }

        ServiceName = serviceName!;
        Environment = environment;
        Release = release ?? throw new ArgumentNullException(nameof(release));
        PolicyRev = policyRev;
    }

    /// <summary>The app-id (or tool name) this process runs as; also the <c>source_component</c> of its facts.</summary>
    public string ServiceName { get; }

    public PlatformEnvironment Environment { get; }

    public ServiceRelease Release { get; }

    /// <summary>The policy_rev the service runs under, when it is governed by one (IG).</summary>
    public PolicyRev? PolicyRev { get; init; }

    /// <summary>
    /// Reads <c>PLATFORM_ENV</c> and <c>SERVICE_RELEASE_ID</c> once and refuses to start (throws
    /// <see cref="PlatformStartupException"/>) when either is missing or invalid for the environment.
    /// </summary>
    public static PlatformRuntime FromEnvironment(string serviceName, Func<string, string?>? readVariable = null, string? workingDirectory = null)
    {
        var environment = PlatformEnvironments.FromEnvironment(readVariable);
        var release = ServiceRelease.Resolve(environment, readVariable, workingDirectory);
        return new PlatformRuntime(serviceName, environment, release);
    }

    /// <summary>
    /// The provenance block of a runtime record. <c>config_revision</c> is the content digest of the policy_rev the
    /// service runs under (null when it has none); <paramref name="runConfigDigest"/> pins the run's config.
    /// </summary>
    public Provenance ProvenanceFor(string? runConfigDigest) =>
        runConfigDigest is null || Digests.IsHex64(runConfigDigest)
            ? new(Release.Id, Environment, PolicyRev?.ContentDigest, runConfigDigest)
            : throw new ArgumentException("run_config_digest must be 64 lowercase hex characters (H of the run config).", nameof(runConfigDigest));

    [GeneratedRegex("^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ServiceNamePattern();
}

/// <summary>
/// <c>provenance{service_release_id, environment, config_revision, run_config_digest}</c> carried by every runtime
/// record (CONTRACTS §1). Build it with <see cref="PlatformRuntime.ProvenanceFor"/>.
/// </summary>
public sealed record Provenance(
    string ServiceReleaseId,
    PlatformEnvironment Environment,
    string? ConfigRevision,
    string? RunConfigDigest);
