namespace DaprHarness.Resources;

/// <summary>The sidecar <c>kind: Configuration</c> given with --config.</summary>
public sealed class SidecarConfiguration
{
    public static readonly SidecarConfiguration Default = new();

    public static SidecarConfiguration Load(string? path)
    {
        if (path is null)
        {
            return Default;
        }

        if (!File.Exists(path))
        {
            throw new HarnessStartupException($"config file '{path}' does not exist");
        }

        var docs = ResourceLoader.LoadFile(path);
        if (docs.Count != 1 || docs[0].Kind != "Configuration")
        {
            throw new HarnessStartupException(path, "kind", "the --config file must hold exactly one Configuration");
        }

        return new SidecarConfiguration();
    }
}
