namespace Platform.Substrate.Pinning;

/// <summary><c>run_config_digest</c> = H(run config): pins the run-scoped configuration a record was produced under.</summary>
public static class RunConfigDigest
{
    public static string Compute<T>(T runConfig)
    {
        ArgumentNullException.ThrowIfNull(runConfig);
        return Digests.Of(runConfig);
    }
}
