using System.CommandLine;

namespace Platformctl.Tests;

/// <summary>Runs one platformctl verb in-process, as Program.cs would, with stdout and stderr captured (so: not a terminal).</summary>
public static class CliRun
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(Command verb, string[] args)
    {
        var root = new RootCommand { verb };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
