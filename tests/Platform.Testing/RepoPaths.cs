namespace Platform.Testing;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Components(string environment) => Path.Combine(Root, "components", environment);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found above the test binaries");
    }
}
