using System.Text.RegularExpressions;

namespace Deploy.Tests.Infrastructure;

/// <summary>A Dockerfile read as instructions (continuations joined, comments dropped), split into build stages.</summary>
internal sealed partial record Dockerfile(string Path, IReadOnlyList<IReadOnlyList<(string Keyword, string Arguments)>> Stages)
{
    private static readonly string[] OciLabels = ["title", "source", "version", "revision"];

    public static Dockerfile Parse(string path)
    {
        var instructions = new List<(string, string)>();
        var pending = string.Empty;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var full = (pending + line).Trim();
            pending = string.Empty;
            if (full.Length > 0)
            {
                var split = full.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add(split < 0 ? (full.ToUpperInvariant(), string.Empty) : (full[..split].ToUpperInvariant(), full[(split + 1)..].Trim()));
            }
        }

        var stages = new List<IReadOnlyList<(string, string)>>();
        foreach (var instruction in instructions)
        {
            if (instruction.Item1 == "FROM")
            {
                stages.Add(new List<(string, string)>());
            }

            if (stages.Count > 0)
            {
                ((List<(string, string)>)stages[^1]).Add(instruction);
            }
        }

        return new Dockerfile(path, stages);
    }

    public IReadOnlyList<(string Keyword, string Arguments)> Final => Stages[^1];

    public IEnumerable<string> FinalArguments(string keyword) => Final.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>LABEL key="value" pairs of the final stage.</summary>
    public IReadOnlyDictionary<string, string> Labels =>
        FinalArguments("LABEL").SelectMany(a => KeyValue().Matches(a)).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

    /// <summary>ENV key=value pairs of the final stage.</summary>
    public IReadOnlyDictionary<string, string> Env =>
        FinalArguments("ENV").SelectMany(a => KeyValue().Matches(a)).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

    /// <summary>Every way this Dockerfile breaks the platform's image rules, one line each.</summary>
    public IEnumerable<string> Violations()
    {
        var name = Path;
        if (Stages.Count < 2 || !Stages[0][0].Arguments.Contains("dotnet/sdk", StringComparison.Ordinal) || !Stages[0][0].Arguments.Contains(" AS build", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{name}: not multi-stage from the .NET SDK image (FROM .../dotnet/sdk AS build, then a runtime stage)";
        }

        if (Stages.Count > 0 && !Final[0].Arguments.Contains("dotnet/aspnet", StringComparison.Ordinal))
        {
            yield return $"{name}: the final stage is not the ASP.NET Core runtime image";
        }

        if (!FinalArguments("COPY").Any(a => a.StartsWith("--from=build ", StringComparison.Ordinal)))
        {
            yield return $"{name}: the final stage copies nothing from the build stage";
        }

        var user = FinalArguments("USER").LastOrDefault();
        if (user is null || user.Split(':')[0] is "root" or "0")
        {
            yield return $"{name}: the final stage runs as root (USER {user ?? "(none)"})";
        }
        else if (!NumericUser().IsMatch(user))
        {
            yield return $"{name}: USER {user} is not numeric, so Kubernetes cannot verify runAsNonRoot";
        }

        if (!FinalArguments("ARG").Any(a => a.Split('=')[0] == "SERVICE_RELEASE_ID"))
        {
            yield return $"{name}: no ARG SERVICE_RELEASE_ID in the final stage";
        }

        if (Env.GetValueOrDefault("SERVICE_RELEASE_ID") != "${SERVICE_RELEASE_ID}")
        {
            yield return $"{name}: SERVICE_RELEASE_ID is not baked as ENV from the build argument";
        }

        if (!Stages[0].Any(i => i.Keyword == "RUN" && i.Arguments.Contains("${SERVICE_RELEASE_ID}", StringComparison.Ordinal)))
        {
            yield return $"{name}: the build does not refuse an empty SERVICE_RELEASE_ID";
        }

        foreach (var label in OciLabels.Select(l => $"org.opencontainers.image.{l}").Where(l => !Labels.ContainsKey(l)))
        {
            yield return $"{name}: OCI label {label} is missing";
        }

        if (Labels.GetValueOrDefault("org.opencontainers.image.revision") != "${SERVICE_RELEASE_ID}")
        {
            yield return $"{name}: org.opencontainers.image.revision is not the release id";
        }

        if (FinalArguments("ENTRYPOINT").SingleOrDefault() is not { } entry || !entry.StartsWith("[\"dotnet\"", StringComparison.Ordinal))
        {
            yield return $"{name}: ENTRYPOINT is not an exec-form dotnet command";
        }
    }

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_.-]*)=(?:""(?<value>[^""]*)""|(?<value>\S+))", RegexOptions.CultureInvariant)]
    private static partial Regex KeyValue();

    [GeneratedRegex("^[0-9]+(:[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericUser();
}
