using Platform.Substrate.Release;

namespace Platform.Substrate.Tests.Release;

public sealed class GitHeadTests : IDisposable
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private const string OtherSha = "fedcba9876543210fedcba9876543210fedcba98";

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("githead-tests-");

    public void Dispose() => root.Delete(recursive: true);

    [Fact]
    public void Reads_a_detached_head()
    {
        var git = root.CreateSubdirectory(".git");
        File.WriteAllText(Path.Combine(git.FullName, "HEAD"), Sha + "\n");

        Assert.Equal(Sha, GitHead.TryRead(root.FullName));
    }

    [Fact]
    public void Reads_a_branch_from_packed_refs_when_there_is_no_loose_ref()
    {
        var git = root.CreateSubdirectory(".git");
        File.WriteAllText(Path.Combine(git.FullName, "HEAD"), "ref: refs/heads/release/1.0\n");
        File.WriteAllLines(Path.Combine(git.FullName, "packed-refs"),
        [
            "# pack-refs with: peeled fully-peeled sorted",
            $"{OtherSha} refs/heads/main",
            $"{Sha} refs/heads/release/1.0",
            $"^{OtherSha}",
        ]);

        Assert.Equal(Sha, GitHead.TryRead(root.FullName));
    }

    [Fact]
    public void Follows_a_worktree_gitdir_file_and_its_common_dir()
    {
        var main = root.CreateSubdirectory("main");
        var mainGit = main.CreateSubdirectory(".git");
        Directory.CreateDirectory(Path.Combine(mainGit.FullName, "refs", "heads"));
        File.WriteAllText(Path.Combine(mainGit.FullName, "refs", "heads", "feature"), Sha + "\n");
        var worktreeGit = mainGit.CreateSubdirectory("worktrees").CreateSubdirectory("feature");
        File.WriteAllText(Path.Combine(worktreeGit.FullName, "HEAD"), "ref: refs/heads/feature\n");
        File.WriteAllText(Path.Combine(worktreeGit.FullName, "commondir"), "../..\n");
        var worktree = root.CreateSubdirectory("feature-tree");
        File.WriteAllText(Path.Combine(worktree.FullName, ".git"), $"gitdir: {worktreeGit.FullName}\n");

        Assert.Equal(Sha, GitHead.TryRead(worktree.CreateSubdirectory("src").FullName));
    }

    [Fact]
    public void An_unborn_branch_has_no_head_and_does_not_fall_through_to_an_enclosing_checkout()
    {
        File.WriteAllText(Path.Combine(root.CreateSubdirectory(".git").FullName, "HEAD"), OtherSha);
        var inner = root.CreateSubdirectory("inner");
        File.WriteAllText(Path.Combine(inner.CreateSubdirectory(".git").FullName, "HEAD"), "ref: refs/heads/main\n");

        Assert.Null(GitHead.TryRead(inner.FullName));
        Assert.Equal(OtherSha, GitHead.TryRead(root.FullName));
    }
}
