using System.CommandLine;
using Platform.Testing;
using Platformctl.Env;

namespace Platformctl.Tests.Parity;

/// <summary>`platformctl env show`: the env profile read from the env's component set, as key/value lines when piped.</summary>
public sealed class EnvShowTests
{
    [Fact]
    public async Task Prod_shows_its_set_secret_store_posture_and_the_required_release_id()
    {
        var (exitCode, lines, _) = await ShowAsync(["--env", "prod"], new() { ["SERVICE_RELEASE_ID"] = "sha256:" + new string('a', 64) });

        Assert.Equal(0, exitCode);
        Assert.Equal("prod", lines["PLATFORM_ENV"]);
        Assert.Equal("components/prod", lines["component_set"]);
        Assert.Equal("ig, rtdl, cm, ofs, mf, mpr, obsgov", lines["apps"]);
        Assert.Equal("secretstores.aws.secretmanager", lines["secret_store"]);
        Assert.Equal("deny", lines["access_control_default"]);
        Assert.Equal("on", lines["mtls"]);
        Assert.StartsWith("SERVICE_RELEASE_ID required", lines["release_id_rule"], StringComparison.Ordinal);
        Assert.Equal("sha256:" + new string('a', 64), lines["SERVICE_RELEASE_ID"]);
    }

    [Fact]
    public async Task Local_parity_comes_from_PLATFORM_ENV_and_says_a_missing_release_id_is_refused_only_in_dev_and_prod()
    {
        var local = await ShowAsync([], new() { ["PLATFORM_ENV"] = "local_parity" });
        var dev = await ShowAsync(["--env", "dev"], []);

        Assert.Equal("secretstores.local.file", local.Lines["secret_store"]);
        Assert.Equal("off", local.Lines["mtls"]);
        Assert.Equal("allow", local.Lines["access_control_default"]);
        Assert.DoesNotContain("refused", local.Lines["SERVICE_RELEASE_ID"], StringComparison.Ordinal);
        Assert.StartsWith("refused: SERVICE_RELEASE_ID is not set", dev.Lines["SERVICE_RELEASE_ID"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("")]
    public async Task An_unknown_or_missing_env_is_exit_code_2(string env)
    {
        var (exitCode, lines, stderr) = await ShowAsync(env.Length > 0 ? ["--env", env] : [], []);

        Assert.Equal(2, exitCode);
        Assert.Empty(lines);
        Assert.Contains("PLATFORM_ENV", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, Dictionary<string, string> Lines, string Stderr)> ShowAsync(string[] args, Dictionary<string, string> variables)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var root = new RootCommand { EnvCommand.Create(name => variables.GetValueOrDefault(name)) };
        var exitCode = await root.Parse(["env", "show", "--root", RepoPaths.Root, .. args]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 2)).ToDictionary(p => p[0], p => p[1]);
        return (exitCode, lines, stderr.ToString());
    }
}
