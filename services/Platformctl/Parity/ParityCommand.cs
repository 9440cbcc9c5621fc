using System.CommandLine;
using Platformctl.Env;
using Spectre.Console;

namespace Platformctl.Parity;

/// <summary><c>platformctl parity check [--root &lt;repo&gt;]</c>: exit 0 when the sets keep the parity contract, 1 on a violation, 2 when it cannot check.</summary>
public static class ParityCommand
{
    public static Command Create()
    {
        var root = new Option<DirectoryInfo>("--root")
        {
            Description = "the repository holding components/ and schemas/ (default: the nearest ancestor of the current directory with components/parity-contract.yaml)",
        };
        var check = new Command("check", "compare components/<env>/ of every env against the parity contract and the Dapr field table; one line per violation: <file>: <field>: <rule>")
        {
            root,
        };
        check.SetAction(parse =>
        {
            var console = new OperatorConsole(parse.InvocationConfiguration.Output);
            IReadOnlyList<ParityViolation> violations;
            try
            {
                violations = ParityChecker.Check(RepoRoot.Resolve(parse.GetValue(root)));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            if (violations.Count == 0)
            {
                console.Verdict(true, "parity check passed: the component sets differ only as the parity contract allows");
                return 0;
            }

            if (console.IsTerminal)
            {
                console.Table("parity violations", ["file", "field", "rule"], violations.Select(v => (IReadOnlyList<string>)[v.File, v.Field, v.Rule]), Color.Red);
                console.Verdict(false, $"parity check failed: {violations.Count} violation(s)");
            }
            else
            {
                // Piped: exactly one line per violation, nothing else on stdout.
                foreach (var violation in violations)
                {
                    parse.InvocationConfiguration.Output.WriteLine(violation.ToString());
                }
            }

            return 1;
        });
        return new Command("parity", "the parity contract between local_parity, dev and prod (seed §1)") { check };
    }
}
