using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Deploy.Tests.Infrastructure;

/// <summary>One finding: where, and which rule (never the matched text, which may be the secret).</summary>
internal sealed record SecretFinding(string File, int Line, string Rule)
{
    public override string ToString() => $"{File}:{Line}: {Rule}";
}

/// <summary>
/// Looks for secrets in the repository's files: private keys, cloud and service tokens anywhere; credentials written
/// as literal values in configuration files (YAML, JSON, env, properties); high-entropy strings in the component sets
/// and deployment manifests, where every credential must be a <c>secretKeyRef</c>.
/// </summary>
internal static partial class SecretScanner
{
    private static readonly string[] ConfigExtensions = [".yaml", ".yml", ".json", ".env", ".properties", ".ini", ".conf", ".toml"];
    private static readonly string[] EntropyFolders = ["components/", "deploy/k8s/"];

    /// <summary>The files git tracks or would track (untracked files not ignored), relative to the repository root.</summary>
    public static IReadOnlyList<string> RepositoryFiles()
    {
        ProcessStartInfo start = new("git", ["-C", Repo.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("git not found: the secret scan lists the repository's files with `git ls-files`; install git", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)]
                : throw new InvalidOperationException($"git ls-files failed ({process.ExitCode}): {error}");
        }
    }

    /// <summary>Scans every repository file that exists and is text.</summary>
    public static IEnumerable<SecretFinding> ScanRepository() =>
        RepositoryFiles()
            .Where(f => File.Exists(Path.Combine(Repo.Root, f)))
            .SelectMany(f => Scan(f, File.ReadAllBytes(Path.Combine(Repo.Root, f))));

    public static IEnumerable<SecretFinding> Scan(string relativePath, byte[] content)
    {
        if (Array.IndexOf(content, (byte)0) >= 0)
        {
            return []; // binary
        }

        return Scan(relativePath, System.Text.Encoding.UTF8.GetString(content));
    }

    public static IEnumerable<SecretFinding> Scan(string relativePath, string text)
    {
        var name = Path.GetFileName(relativePath);
        var isConfig = ConfigExtensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase) || name.StartsWith(".env", StringComparison.Ordinal);
        var checkEntropy = EntropyFolders.Any(f => relativePath.StartsWith(f, StringComparison.Ordinal));
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            foreach (var (pattern, rule) in Everywhere)
            {
                if (pattern.IsMatch(line))
                {
                    yield return new SecretFinding(relativePath, i + 1, rule);
                }
            }

            if (isConfig && LiteralCredential(line, i + 1 < lines.Length ? lines[i + 1] : string.Empty) is { } credential)
            {
                yield return new SecretFinding(relativePath, i + 1, credential);
            }

            if (checkEntropy && HighEntropyToken(line) is { } length)
            {
                yield return new SecretFinding(relativePath, i + 1, $"high-entropy string ({length} characters); credentials belong in the secret store (secretKeyRef)");
            }
        }
    }

    private static readonly (Regex Pattern, string Rule)[] Everywhere =
    [
        (PrivateKey(), "private key block"),
        (AwsAccessKeyId(), "AWS access key id"),
        (AwsSecretAccessKey(), "AWS secret access key"),
        (GitHubToken(), "GitHub token"),
        (SlackToken(), "Slack token"),
        (Jwt(), "JSON Web Token"),
    ];

    /// <summary>
    /// <c>password: hunter22</c>, <c>"apiKey": "..."</c>, <c>TOKEN=...</c>, or a Dapr metadata item
    /// <c>- name: password</c> followed by <c>value: ...</c>: a credential key with a literal value rather than a reference.
    /// </summary>
    private static string? LiteralCredential(string line, string next)
    {
        if (MetadataName().Match(line) is { Success: true } item && CredentialKey().IsMatch(item.Groups["key"].Value)
            && MetadataValue().Match(next) is { Success: true } value && IsLiteral(value.Groups["value"].Value, strict: true))
        {
            return $"component metadata '{item.Groups["key"].Value}' has a literal value; use secretKeyRef";
        }

        var assignment = Assignment().Match(line);
        if (!assignment.Success)
        {
            return null;
        }

        var key = assignment.Groups["key"].Value;
        var strict = StrictKey().IsMatch(key);
        return CredentialKey().IsMatch(key) && IsLiteral(assignment.Groups["value"].Value, strict)
            ? $"credential '{key}' has a literal value"
            : null;
    }

    /// <summary>
    /// A value that could be a secret: not empty, not a reference (<c>${VAR}</c>, <c>$(cmd)</c>, <c>{{ }}</c>,
    /// <c>&lt;placeholder&gt;</c>) and, unless <paramref name="strict"/>, not a kebab-case name (the name of a secret object).
    /// </summary>
    private static bool IsLiteral(string raw, bool strict)
    {
        var value = raw.Trim().Trim('"', '\'').Trim();
        if (value.Length == 0 || value is "null" or "true" or "false" || value.StartsWith('{') || value.StartsWith('[')
            || value.Contains("${", StringComparison.Ordinal) || value.Contains("$(", StringComparison.Ordinal)
            || value.Contains("{{", StringComparison.Ordinal) || (value.StartsWith('<') && value.EndsWith('>')))
        {
            return false;
        }

        return strict || !KebabName().IsMatch(value);
    }

    /// <summary>
    /// The length of the first token that looks random enough to be a key, or null: base64-like (upper, lower and
    /// digits mixed, at least 4 bits per character) or hex of 32+ characters (at least 3.5 bits per character) that
    /// is not an image digest. Paths, URLs and names are words and do not qualify.
    /// </summary>
    private static int? HighEntropyToken(string line)
    {
        foreach (Match token in TokenCandidate().Matches(line))
        {
            var value = token.Value;
            var mixed = value.Any(char.IsAsciiLetterUpper) && value.Any(char.IsAsciiLetterLower) && value.Any(char.IsAsciiDigit);
            var hex = value.Length >= 32 && value.All(char.IsAsciiHexDigit) && !line[..token.Index].EndsWith("sha256:", StringComparison.Ordinal);
            if ((mixed && Entropy(value) >= 4.0) || (hex && Entropy(value) >= 3.5))
            {
                return token.Length;
            }
        }

        return null;
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    internal static double Entropy(string value) =>
        -value.GroupBy(c => c).Select(g => (double)g.Count() / value.Length).Sum(p => p * Math.Log2(p));

    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"(?i)aws.{0,20}(?:secret|private).{0,20}[:=]\s*[""']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", RegexOptions.CultureInvariant)]
    private static partial Regex AwsSecretAccessKey();

    [GeneratedRegex(@"\bgh[pousr]_[A-Za-z0-9]{36,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bxox[abprs]-[A-Za-z0-9-]{10,}", RegexOptions.CultureInvariant)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"^\s*-?\s*name:\s*[""']?(?<key>[A-Za-z0-9_.-]+)[""']?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataName();

    [GeneratedRegex(@"^\s*value:\s*(?<value>.*?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataValue();

    // YAML `key: value`, JSON `"key": "value"`, env/properties `KEY=value` (optionally `export KEY=value`).
    [GeneratedRegex(@"^\s*(?:-\s*)?(?:export\s+)?[""']?(?<key>[A-Za-z0-9_./-]+)[""']?\s*(?::|=)\s*(?<value>[^#]*?)\s*,?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"(?i)(?:^|[_.\-/])(?:password|passwd|pwd|secret|secret[_-]?key|secret[_-]?access[_-]?key|access[_-]?key|api[_-]?key|apikey|private[_-]?key|client[_-]?secret|token|auth[_-]?token|access[_-]?token|session[_-]?token|connection[_-]?string|master[_-]?key)$|^(?:accessKey|secretKey|sessionToken|connectionString|apiKey|clientSecret|privateKey|masterKey|password|token)$", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialKey();

    [GeneratedRegex(@"(?i)(?:^|[_.\-/])(?:password|passwd|pwd)$", RegexOptions.CultureInvariant)]
    private static partial Regex StrictKey();

    [GeneratedRegex(@"^[a-z0-9]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabName();

    [GeneratedRegex(@"[A-Za-z0-9+/=_-]{20,}", RegexOptions.CultureInvariant)]
    private static partial Regex TokenCandidate();
}
