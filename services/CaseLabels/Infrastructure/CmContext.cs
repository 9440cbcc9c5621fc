using CaseLabels.Domain;
using Platform.Substrate.Environments;
using Platform.Substrate.Pinning;

namespace CaseLabels.Infrastructure;

/// <summary>
/// What every label record, ack and fact is stamped with, fixed at start-up: the label policy and the provenance
/// <c>{service_release_id, environment, config_revision, run_config_digest}</c>, where config_revision is the label
/// policy_rev's content digest and run_config_digest = H(<c>{service, writer_boundary_version, policy_rev}</c>).
/// </summary>
public sealed class CmContext
{
    public CmContext(LabelPolicy policy, PlatformRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(runtime);
        Policy = policy;
        Runtime = runtime;
        RunConfigDigest = Platform.Substrate.Pinning.RunConfigDigest.Compute(
            new CmRunConfig(runtime.ServiceName, LabelPolicy.WriterBoundaryVersion, policy.PolicyRev));
        Provenance = runtime.ProvenanceFor(RunConfigDigest);
    }

    public LabelPolicy Policy { get; }

    public PlatformRuntime Runtime { get; }

    public string RunConfigDigest { get; }

    public Provenance Provenance { get; }

    private sealed record CmRunConfig(string Service, string WriterBoundaryVersion, PolicyRev PolicyRev);
}
