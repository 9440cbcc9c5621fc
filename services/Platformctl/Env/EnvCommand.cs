using System.CommandLine;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;

namespace Platformctl.Env;

/// <summary><c>platformctl env show [--env &lt;env&gt;] [--root &lt;repo&gt;]</c>: the env profile; plain <c>key&lt;TAB&gt;value</c> lines when piped.</summary>
public static class EnvCommand
{
    public static Command Create(Func<string, string?>? readVariable = null)
    {
        var read = readVariable ?? System.Environment.GetEnvironmentVariable;
        var env = new Option<string>("--env")
        {
            Description = $"the env to show: {string.Join(", ", PlatformEnvironments.AllowedValues)} (default: ${PlatformEnvironments.VariableName})",
        };
        var root = new Option<DirectoryInfo>("--root")
        {
            Description = "the repository holding components/ (default: the nearest ancestor with components/parity-contract.yaml)",
        };
        var show = new Command("show", "the env profile: PLATFORM_ENV, component set, apps, secret store, tracing, mTLS, release id rule") { env, root };
        show.SetAction(parse =>
        {
            try
            {
                var environment = PlatformEnvironments.Parse(parse.GetValue(env) ?? read(PlatformEnvironments.VariableName));
                var profile = EnvProfile.Read(RepoRoot.Resolve(parse.GetValue(root)), environment, read);
                new OperatorConsole(parse.InvocationConfiguration.Output).Table($"env {environment.ToWireName()}", ["setting", "value"], profile.Rows());
                return 0;
            }
            catch (Exception e) when (e is PlatformStartupException or IOException or InvalidDataException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return new Command("env", "environment profiles (seed §1)") { show };
    }
}
