using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Substrate.Pinning;

/// <summary>
/// <c>policy_rev</c> (CONTRACTS §3): the identity of the configuration governing run-scoped operations.
/// <c>content_digest</c> = H(the list of <c>{path, content}</c> of the policy files sorted by path, each content
/// the file's parsed JSON, so formatting and member order never change the digest).
/// </summary>
public sealed record PolicyRev(string PolicyId, string Revision, string ContentDigest)
{
    /// <summary>
    /// Whether a caller's expected policy_rev names this one: it carries the content_digest (the revision label is for
    /// people, the digest is the identity).
    /// </summary>
    public bool IsNamedBy(string? expectedContentDigest) => string.Equals(expectedContentDigest, ContentDigest, StringComparison.Ordinal);

    /// <summary>Computes the policy_rev of the given files; <paramref name="revision"/> is a human label only.</summary>
    public static PolicyRev Compute(string policyId, string revision, IEnumerable<PolicyFile> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        ArgumentNullException.ThrowIfNull(files);

        var entries = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var path = NormalizePath(file.Path);
            if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                throw new PolicyFileException($"Policy file '{file.Path}' is not a .json file; only JSON policy files are supported.");
            }

            if (entries.ContainsKey(path))
            {
                throw new PolicyFileException($"Policy file '{path}' is listed twice.");
            }

            try
            {
                using var document = CanonicalJson.Parse(file.Content);
                // Canonicalizing each file on its own names the offending file (duplicate names, lone surrogates...).
                _ = CanonicalJson.Serialize(document.RootElement);
                entries.Add(path, document.RootElement.Clone());
            }
            catch (CanonicalJsonException exception)
            {
                throw new PolicyFileException($"Policy file '{path}' is not valid JSON: {exception.Message}", exception);
            }
        }

        if (entries.Count == 0)
        {
            throw new PolicyFileException("A policy_rev needs at least one policy file.");
        }

        var list = entries.Select(entry => new PolicyDigestEntry(entry.Key, entry.Value)).ToList();
        return new PolicyRev(policyId, revision, Digests.Of(list));
    }

    /// <summary>Reads <paramref name="relativePaths"/> under <paramref name="baseDirectory"/> and computes their policy_rev.</summary>
    public static async Task<PolicyRev> FromFilesAsync(
        string policyId,
        string revision,
        string baseDirectory,
        IEnumerable<string> relativePaths,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relativePaths);
        var files = new List<PolicyFile>();
        foreach (var relativePath in relativePaths)
        {
            var content = await File.ReadAllBytesAsync(Path.Combine(baseDirectory, NormalizePath(relativePath)), cancellationToken);
            files.Add(new PolicyFile(relativePath, content));
        }

        return Compute(policyId, revision, files);
    }

    // The path is part of the digest: one spelling everywhere (forward slashes, relative, no dot segments).
    private static string NormalizePath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var normalized = path.Replace('\\', '/');
        var segments = normalized.Split('/');
        if (normalized.StartsWith('/') || Path.IsPathRooted(path) || segments.Any(s => s is "" or "." or ".."))
        {
            throw new PolicyFileException($"Policy file path '{path}' must be relative, without '.', '..' or empty segments.");
        }

        return normalized;
    }
}

/// <summary>One element of the digested list: serialized as <c>{"path": ..., "content": ...}</c>.</summary>
internal sealed record PolicyDigestEntry(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("content")] JsonElement Content);

/// <summary>One policy file: its path relative to the policy root (recorded in the digest) and its bytes.</summary>
public sealed record PolicyFile(string Path, ReadOnlyMemory<byte> Content);

/// <summary>A policy file cannot take part in a policy_rev (not JSON, unsupported format, bad path, duplicate).</summary>
public sealed class PolicyFileException : Exception
{
    public PolicyFileException(string message)
        : base(message)
    {
    }

    public PolicyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
