using Platform.Testing;

namespace DaprHarness.Tests;

/// <summary>
/// A temporary directory for resource YAML, config files and secrets JSON, deleted on dispose. Each resource set
/// is a subdirectory of its own, to pass as a harness's resources path.
/// </summary>
internal sealed class TempFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("daprharness-tests-").FullName;

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A resource set holding copies of the named files of components/local_parity, unchanged.</summary>
    public string LocalParityResources(params string[] files)
    {
        var dir = NewResourceSet();
        foreach (var file in files)
        {
            File.Copy(Path.Combine(RepoPaths.Components("local_parity"), file), Path.Combine(dir, file));
        }

        return dir;
    }

    /// <summary>A resource set with the given YAML documents (file name → content).</summary>
    public string Resources(params (string File, string Yaml)[] documents)
    {
        var dir = NewResourceSet();
        foreach (var (file, yaml) in documents)
        {
            File.WriteAllText(Path.Combine(dir, file), yaml);
        }

        return dir;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string NewResourceSet() => System.IO.Directory.CreateDirectory(Path.Combine(Directory, "resources-" + Guid.NewGuid().ToString("N")[..8])).FullName;
}
