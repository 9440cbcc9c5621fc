using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;

namespace Platform.Substrate.Release;

/// <summary>How a <see cref="ServiceRelease"/> id names the deployed artefact.</summary>
public enum ReleaseIdKind
{
    /// <summary><c>sha256:&lt;64 hex&gt;</c>: the image digest.</summary>
    ImageDigest = 1,

    /// <summary>7 to 40 lowercase hex characters: a git commit.</summary>
    GitSha = 2,

    /// <summary>An image reference with a tag and/or digest, e.g. <c>registry.example/platform/ig:1.4.2</c>.</summary>
    ImageReference = 3,

    /// <summary>Derived by the process itself in local_parity because none was given.</summary>
    LocalDerived = 4,
}

/// <summary>
/// The immutable artefact this process runs (seed §6), recorded as <c>service_release_id</c> in every runtime record.
/// Required in dev and prod; local_parity derives one when <c>SERVICE_RELEASE_ID</c> is absent and says so.
/// </summary>
public sealed partial record ServiceRelease
{
    /// <summary>The variable the deployment sets to the image digest, tag reference or git SHA.</summary>
    public const string VariableName = "SERVICE_RELEASE_ID";

    private const int MaxLength = 255;

    private ServiceRelease(string id, ReleaseIdKind kind, string? warning)
    {
        Id = id;
        Kind = kind;
        Warning = warning;
    }

    /// <summary>The value recorded as <c>service_release_id</c>.</summary>
    public string Id { get; }

    public ReleaseIdKind Kind { get; }

    /// <summary>True when the id was derived locally rather than given by the deployment.</summary>
    public bool IsDerived => Kind == ReleaseIdKind.LocalDerived;

    /// <summary>What the host should log at startup when the id was derived; null otherwise.</summary>
    public string? Warning { get; }

    public override string ToString() => Id;

    /// <summary>Validates a release id given by the deployment; garbage refuses to start.</summary>
    public static ServiceRelease Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new PlatformStartupException($"{VariableName} is empty.");
        }

        var kind = Classify(value) ?? throw new PlatformStartupException(
            $"{VariableName}='{Truncate(value)}' is not a release id. Expected an image digest (sha256:<64 lowercase hex>), "
            + "a git SHA (7-40 lowercase hex) or an image reference with a tag or digest (a 'latest' tag is refused: it names no release).");
        return new ServiceRelease(value, kind, null);
    }

    /// <summary>
    /// The release id for <paramref name="environment"/>: <c>SERVICE_RELEASE_ID</c> when set (validated); otherwise
    /// refuse in dev/prod and derive <c>local-git-&lt;sha&gt;</c> (HEAD of the git checkout around
    /// <paramref name="workingDirectory"/>) or <c>local-mvid-&lt;hex32&gt;</c> (entry assembly build) in local_parity.
    /// </summary>
    public static ServiceRelease Resolve(
        PlatformEnvironment environment,
        Func<string, string?>? readVariable = null,
        string? workingDirectory = null,
        Assembly? entryAssembly = null)
    {
        var value = (readVariable ?? System.Environment.GetEnvironmentVariable)(VariableName);
        if (!string.IsNullOrEmpty(value))
        {
            return Parse(value);
        }

        if (environment != PlatformEnvironment.LocalParity)
        {
            throw new PlatformStartupException(
                $"{VariableName} is not set; it is required in {environment.ToWireName()} (image digest, image tag reference or git SHA).");
        }

        var directory = workingDirectory ?? System.Environment.CurrentDirectory;
        var head = GitHead.TryRead(directory);
        if (head is not null)
        {
            return new ServiceRelease(
                $"local-git-{head}",
                ReleaseIdKind.LocalDerived,
                $"{VariableName} is not set; derived 'local-git-{head}' from the git HEAD above '{directory}' (local_parity only; uncommitted changes are not reflected).");
        }

        var assembly = entryAssembly ?? Assembly.GetEntryAssembly() ?? typeof(ServiceRelease).Assembly;
        var mvidHash = Convert.ToHexStringLower(SHA256.HashData(assembly.ManifestModule.ModuleVersionId.ToByteArray()))[..32];
        return new ServiceRelease(
            $"local-mvid-{mvidHash}",
            ReleaseIdKind.LocalDerived,
            $"{VariableName} is not set and no git checkout was found above '{directory}'; derived 'local-mvid-{mvidHash}' from the build of {assembly.GetName().Name} (local_parity only).");
    }

    private static ReleaseIdKind? Classify(string value)
    {
        if (value.Length > MaxLength)
        {
            return null;
        }

        if (value.StartsWith("sha256:", StringComparison.Ordinal))
        {
            // Also a syntactically valid image name with a tag; a truncated digest must not pass as one.
            return ImageDigestPattern().IsMatch(value) ? ReleaseIdKind.ImageDigest : null;
        }

        if (GitShaPattern().IsMatch(value))
        {
            return ReleaseIdKind.GitSha;
        }

        var reference = ImageReferencePattern().Match(value);
        var tag = reference.Groups["tag"];
        var hasTag = tag.Success && !string.Equals(tag.Value, "latest", StringComparison.Ordinal);
        return reference.Success && (hasTag || reference.Groups["digest"].Success) ? ReleaseIdKind.ImageReference : null;
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [GeneratedRegex("^sha256:[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ImageDigestPattern();

    [GeneratedRegex("^[0-9a-f]{7,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex GitShaPattern();

    // The OCI distribution reference grammar: [host[:port]/]path[:tag][@sha256:digest], path components lowercase.
    [GeneratedRegex(
        @"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
        + @"(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ImageReferencePattern();
}
