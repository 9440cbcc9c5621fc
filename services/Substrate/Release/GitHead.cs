using System.Text.RegularExpressions;

namespace Platform.Substrate.Release;

/// <summary>
/// Reads the commit a git checkout has checked out, without running git: <c>.git/HEAD</c>, then the loose ref or
/// <c>packed-refs</c>. Handles linked worktrees (<c>.git</c> file with <c>gitdir:</c>, refs in the common dir).
/// </summary>
internal static partial class GitHead
{
    /// <summary>The 40-hex HEAD commit of the nearest checkout at or above <paramref name="startDirectory"/>, or null.</summary>
    public static string? TryRead(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var gitDirectory = FindGitDirectory(directory.FullName);
            if (gitDirectory is not null)
            {
                // The nearest checkout owns this directory: never fall through to an enclosing one.
                return ReadHead(gitDirectory);
            }
        }

        return null;
    }

    private static string? FindGitDirectory(string directory)
    {
        var dotGit = Path.Combine(directory, ".git");
        if (Directory.Exists(dotGit))
        {
            return dotGit;
        }

        if (!File.Exists(dotGit))
        {
            return null;
        }

        const string prefix = "gitdir:";
        var pointer = File.ReadAllText(dotGit).Trim();
        return pointer.StartsWith(prefix, StringComparison.Ordinal)
            ? Path.GetFullPath(pointer[prefix.Length..].Trim(), directory)
            : null;
    }

    private static string? ReadHead(string gitDirectory)
    {
        var head = ReadTrimmed(Path.Combine(gitDirectory, "HEAD"));
        if (head is null)
        {
            return null;
        }

        if (Sha().IsMatch(head))
        {
            return head;
        }

        const string refPrefix = "ref:";
        if (!head.StartsWith(refPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var refName = head[refPrefix.Length..].Trim();
        var commonDirectory = ReadTrimmed(Path.Combine(gitDirectory, "commondir")) is { } common
            ? Path.GetFullPath(common, gitDirectory)
            : gitDirectory;
        foreach (var directory in new[] { gitDirectory, commonDirectory }.Distinct(StringComparer.Ordinal))
        {
            if (ReadTrimmed(Path.Combine(directory, refName)) is { } loose && Sha().IsMatch(loose))
            {
                return loose;
            }
        }

        return ReadPackedRef(Path.Combine(commonDirectory, "packed-refs"), refName);
    }

    private static string? ReadPackedRef(string packedRefsPath, string refName)
    {
        if (!File.Exists(packedRefsPath))
        {
            return null;
        }

        foreach (var line in File.ReadLines(packedRefsPath))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && string.Equals(parts[1].Trim(), refName, StringComparison.Ordinal) && Sha().IsMatch(parts[0]))
            {
                return parts[0];
            }
        }

        return null;
    }

    private static string? ReadTrimmed(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    [GeneratedRegex("^[0-9a-f]{40}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha();
}
