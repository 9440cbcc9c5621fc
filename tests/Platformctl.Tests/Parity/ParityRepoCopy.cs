using Platform.Testing;

namespace Platformctl.Tests.Parity;

/// <summary>A temp copy of the repository's components/ and schemas/ that a test may drift on purpose.</summary>
public sealed class ParityRepoCopy : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("platformctl-parity-");

    public ParityRepoCopy()
    {
        foreach (var folder in new[] { "components", "schemas" })
        {
            Copy(Path.Combine(RepoPaths.Root, folder), Path.Combine(Root, folder));
        }
    }

    public string Root => _directory.FullName;

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Replaces exactly one occurrence of <paramref name="old"/> in <paramref name="relative"/>, so a drift edits what the test means.</summary>
    public void Replace(string relative, string old, string replacement)
    {
        var text = File.ReadAllText(PathOf(relative));
        var at = text.IndexOf(old, StringComparison.Ordinal);
        Assert.True(at >= 0 && text.IndexOf(old, at + 1, StringComparison.Ordinal) < 0, $"'{old}' occurs exactly once in {relative}");
        File.WriteAllText(PathOf(relative), text[..at] + replacement + text[(at + old.Length)..]);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
