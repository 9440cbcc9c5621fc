using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Identity;

/// <summary>
/// One allowlist entry of the <c>api-keys</c> secret (a JSON array of these). The raw key is never stored, only the
/// lowercase hex SHA-256 of its UTF-8 bytes.
/// </summary>
public sealed record ApiKeyEntry(string KeyId, string KeySha256, string Principal, string SourceType, IReadOnlyList<string> Roles);

/// <summary>The local_parity API-key allowlist, wherever it is kept.</summary>
public interface IApiKeyDirectory
{
    /// <summary>The entry whose hash matches <paramref name="presentedKey"/>, or null for an unknown key.</summary>
    Task<ApiKeyEntry?> FindAsync(string presentedKey, CancellationToken cancellationToken);
}

internal delegate bool HashComparer(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right);

/// <summary>A parsed allowlist. Matching hashes the presented key once and compares it with every entry.</summary>
internal sealed class ApiKeyAllowlist
{
    private readonly (ApiKeyEntry Entry, byte[] Hash)[] _entries;

    private ApiKeyAllowlist((ApiKeyEntry, byte[])[] entries) => _entries = entries;

    public int Count => _entries.Length;

    /// <summary>Parses the secret's JSON; any malformed entry rejects the whole allowlist.</summary>
    public static ApiKeyAllowlist Parse(string json)
    {
        var entries = JsonSerializer.Deserialize<ApiKeyEntry[]>(json, PlatformJson.Options)
            ?? throw new InvalidDataException("The API-key allowlist is JSON null.");
        var parsed = new (ApiKeyEntry, byte[])[entries.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry is null || string.IsNullOrEmpty(entry.KeyId) || string.IsNullOrEmpty(entry.Principal)
                || !SourceTypes.TryParse(entry.SourceType, out _))
            {
                throw new InvalidDataException($"API-key allowlist entry {i} lacks key_id, principal or a valid source_type.");
            }

            if (entry.KeySha256 is not { Length: SHA256.HashSizeInBytes * 2 } hex || hex.Any(c => !char.IsAsciiHexDigitLower(c)))
            {
                throw new InvalidDataException($"API-key '{entry.KeyId}': key_sha256 must be 64 lowercase hex characters.");
            }

            if (!seen.Add(hex))
            {
                throw new InvalidDataException($"API-key '{entry.KeyId}': the same key hash appears twice.");
            }

            parsed[i] = (entry with { Roles = entry.Roles ?? [] }, Convert.FromHexString(hex));
        }

        return new ApiKeyAllowlist(parsed);
    }

    public ApiKeyEntry? Match(string presentedKey) => Match(presentedKey, CryptographicOperations.FixedTimeEquals);

    /// <summary>
    /// Compares against every entry even after a hit, each comparison in constant time, so the response time does
    /// not tell how many entries there are before the matching one or how many leading bytes matched.
    /// </summary>
    internal ApiKeyEntry? Match(string presentedKey, HashComparer compare)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), presented);
        ApiKeyEntry? match = null;
        foreach (var (entry, hash) in _entries)
        {
            if (compare(presented, hash))
            {
                match = entry;
            }
        }

        return match;
    }

    /// <summary>Lowercase hex SHA-256 of a raw key: the form the allowlist stores.</summary>
    public static string HashKey(string rawKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawKey)));
}

/// <summary>The allowlist held in the secret store's <c>api-keys</c> secret, re-read at most every <see cref="CacheLifetime"/>.</summary>
public sealed class SecretStoreApiKeyDirectory : IApiKeyDirectory, IDisposable
{
    public const string SecretName = "api-keys";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);

    private readonly RefreshingCache<ApiKeyAllowlist> _allowlist;

    public SecretStoreApiKeyDirectory(ISecretReader secrets, TimeProvider time)
    {
        _allowlist = new RefreshingCache<ApiKeyAllowlist>(
            async ct => ApiKeyAllowlist.Parse(await secrets.GetSecretAsync(SecretName, ct)), CacheLifetime, time);
    }

    public async Task<ApiKeyEntry?> FindAsync(string presentedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presentedKey);
        var allowlist = await _allowlist.GetAsync(cancellationToken);
        return allowlist.Match(presentedKey);
    }

    public void Dispose() => _allowlist.Dispose();
}
