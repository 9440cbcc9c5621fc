using System.Reflection;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Release;

namespace Platform.Substrate.Tests.Release;

public sealed class ServiceReleaseTests : IDisposable
{
    private const string ImageDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    // A directory with no git checkout anywhere above it is not guaranteed on every machine, so each test that needs
    // one builds its own tree under a fresh temp directory and points the resolver at it.
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("release-tests-");

    public void Dispose() => root.Delete(recursive: true);

    [Theory]
    [InlineData(ImageDigest, ReleaseIdKind.ImageDigest)]
    [InlineData("0a1b2c3", ReleaseIdKind.GitSha)]
    [InlineData("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", ReleaseIdKind.GitSha)]
    [InlineData("ig:1.4.2", ReleaseIdKind.ImageReference)]
    [InlineData("registry.example.com:5000/platform/ig:2026.11.27-rc_1", ReleaseIdKind.ImageReference)]
    [InlineData("ghcr.io/fraud/ig@" + ImageDigest, ReleaseIdKind.ImageReference)]
    [InlineData("ghcr.io/fraud/ig:1.0@" + ImageDigest, ReleaseIdKind.ImageReference)]
    public void Accepts_digests_shas_and_pinned_image_references(string value, ReleaseIdKind kind)
    {
        var release = ServiceRelease.Parse(value);

        Assert.Equal(value, release.Id);
        Assert.Equal(kind, release.Kind);
        Assert.False(release.IsDerived);
        Assert.Null(release.Warning);
    }

    [Theory]
    [InlineData("garbage with spaces")]
    [InlineData("sha256:abc")]
    [InlineData("SHA256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")]
    [InlineData("0A1B2C3")]
    [InlineData("abc12")]
    [InlineData("0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678")]
    [InlineData("ghcr.io/fraud/ig")]
    [InlineData("ghcr.io/fraud/ig:latest")]
    [InlineData("ghcr.io/Fraud/ig:1.0")]
    [InlineData("ig:")]
    [InlineData("local-git-0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")]
    public void Refuses_garbage(string value)
    {
        var exception = Assert.Throws<PlatformStartupException>(() => ServiceRelease.Parse(value));

        Assert.Contains("SERVICE_RELEASE_ID", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_overlong_value_without_echoing_all_of_it()
    {
        var value = "ig:" + new string('a', 300);

        var exception = Assert.Throws<PlatformStartupException>(() => ServiceRelease.Parse(value));

        Assert.DoesNotContain(value, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PlatformEnvironment.Dev, null)]
    [InlineData(PlatformEnvironment.Prod, null)]
    [InlineData(PlatformEnvironment.Prod, "")]
    public void Dev_and_prod_refuse_to_start_without_a_release_id(PlatformEnvironment environment, string? value)
    {
        var exception = Assert.Throws<PlatformStartupException>(
            () => ServiceRelease.Resolve(environment, _ => value, root.FullName));

        Assert.Contains("SERVICE_RELEASE_ID is not set", exception.Message, StringComparison.Ordinal);
        Assert.Contains(environment.ToWireName(), exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PlatformEnvironment.LocalParity)]
    [InlineData(PlatformEnvironment.Prod)]
    public void A_given_release_id_is_validated_in_every_environment(PlatformEnvironment environment)
    {
        Assert.Equal(ImageDigest, ServiceRelease.Resolve(environment, Only(ImageDigest), root.FullName).Id);
        Assert.Throws<PlatformStartupException>(() => ServiceRelease.Resolve(environment, Only("nope!"), root.FullName));
    }

    [Fact]
    public void Local_parity_derives_the_id_from_the_git_head_and_says_so()
    {
        const string sha = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        var checkout = root.CreateSubdirectory("repo");
        var git = checkout.CreateSubdirectory(".git");
        File.WriteAllText(Path.Combine(git.FullName, "HEAD"), "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(git.FullName, "refs", "heads"));
        File.WriteAllText(Path.Combine(git.FullName, "refs", "heads", "main"), sha + "\n");
        var workingDirectory = checkout.CreateSubdirectory("services").CreateSubdirectory("ig");

        var release = ServiceRelease.Resolve(PlatformEnvironment.LocalParity, _ => null, workingDirectory.FullName);

        Assert.Equal($"local-git-{sha}", release.Id);
        Assert.Equal(ReleaseIdKind.LocalDerived, release.Kind);
        Assert.True(release.IsDerived);
        Assert.Contains("SERVICE_RELEASE_ID is not set", release.Warning, StringComparison.Ordinal);
        Assert.Contains(release.Id, release.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_parity_without_a_checkout_derives_the_id_from_the_entry_assembly_build()
    {
        if (GitHeadAbove(root.FullName))
        {
            Assert.Fail($"The temp directory {root.FullName} lies inside a git checkout; this test needs one outside any.");
        }

        var assembly = typeof(ServiceReleaseTests).Assembly;

        var first = ServiceRelease.Resolve(PlatformEnvironment.LocalParity, _ => null, root.FullName, assembly);
        var again = ServiceRelease.Resolve(PlatformEnvironment.LocalParity, _ => null, root.FullName, assembly);
        var otherBuild = ServiceRelease.Resolve(PlatformEnvironment.LocalParity, _ => null, root.FullName, typeof(ServiceRelease).Assembly);

        Assert.Matches("^local-mvid-[0-9a-f]{32}$", first.Id);
        Assert.Equal(first, again);
        Assert.NotEqual(first.Id, otherBuild.Id);
        Assert.True(first.IsDerived);
        Assert.Contains(assembly.GetName().Name!, first.Warning, StringComparison.Ordinal);
    }

    private static Func<string, string?> Only(string value) => name => name == ServiceRelease.VariableName ? value : null;

    private static bool GitHeadAbove(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            if (Path.Exists(Path.Combine(current.FullName, ".git")))
            {
                return true;
            }
        }

        return false;
    }
}
