namespace Platformctl.Env;

/// <summary>Finds the repository whose components/ sets platformctl reads: --root, else the nearest ancestor holding the parity contract.</summary>
public static class RepoRoot
{
    public static readonly string Marker = Path.Combine("components", Parity.ParityContract.FileName);

    public static string Resolve(DirectoryInfo? given, string? start = null)
    {
        if (given is not null)
        {
            return File.Exists(Path.Combine(given.FullName, Marker))
                ? given.FullName
                : throw new DirectoryNotFoundException($"--root {given.FullName}: no {Marker} there");
        }

        for (var directory = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, Marker)))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no {Marker} in {start ?? Directory.GetCurrentDirectory()} or its parents: run inside the repository or pass --root");
    }
}
