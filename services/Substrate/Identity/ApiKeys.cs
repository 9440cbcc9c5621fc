using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Identity;

/// <summary>
/// One allowlist entry of the <c>api-keys</c> secret (a JSON array of these). The raw key is never stored, only the
/// lowercase hex SHA-256 of its UTF-8 bytes. A rotation adds an entry with the same <c>key_id</c> and the next
/// <c>version</c> (absent = 1) next to the old one, which stays valid until it is retired.
/// </summary>
public sealed record ApiKeyEntry(string KeyId, string KeySha256, string Principal, string SourceType, IReadOnlyList<string> Roles, int? Version = null)
{
    /// <summary>The entry's version, 1 when the secret names none.</summary>
    [JsonIgnore]
    public int EffectiveVersion => Version ?? 1;

    /// <summary>Lowercase hex SHA-256 of a raw key's UTF-8 bytes: the form the allowlist stores.</summary>
    public static string HashOf(string rawKey)
    {
        ArgumentNullException.ThrowIfNull(rawKey);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawKey)));
    }
}

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

    private ApiKeyAllowlist((ApiKeyEntry, byte[])[] entries, string fingerprint)
    {
        _entries = entries;
        Fingerprint = fingerprint;
    }

    public int Count => _entries.Length;

    /// <summary>See <see cref="SecretVersion.FingerprintOf"/>.</summary>
    public string Fingerprint { get; }

    /// <summary><c>key_id@version</c> of every entry, in the secret's order.</summary>
    public IReadOnlyList<string> KeyVersions => [.. _entries.Select(e => $"{e.Entry.KeyId}@{e.Entry.EffectiveVersion}")];

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

            if (entry.Version is < 1)
            {
                throw new InvalidDataException($"API-key '{entry.KeyId}': version must be 1 or more.");
            }

            if (!seen.Add(hex))
            {
                throw new InvalidDataException($"API-key '{entry.KeyId}': the same key hash appears twice.");
            }

            parsed[i] = (entry with { Roles = entry.Roles ?? [] }, Convert.FromHexString(hex));
        }

        return new ApiKeyAllowlist(parsed, SecretVersion.FingerprintOf(json));
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
}

/// <summary>
/// The allowlist held in the secret store's <c>api-keys</c> secret, re-read when older than
/// <see cref="SecretRefreshOptions.MaxAge"/>, and early (rate-limited) when a presented key matches no entry, so a
/// rotated key is accepted as soon as the secret store serves it.
/// </summary>
public sealed class SecretStoreApiKeyDirectory : IApiKeyDirectory, ISecretVersionReporter, IDisposable
{
    public const string SecretName = "api-keys";

    /// <summary>The default maximum age of the cached allowlist.</summary>
    public static readonly TimeSpan CacheLifetime = SecretRefreshOptions.DefaultMaxAge;

    private readonly RefreshingCache<ApiKeyAllowlist> _allowlist;

    public SecretStoreApiKeyDirectory(ISecretReader secrets, TimeProvider time, SecretRefreshOptions? options = null)
    {
        _allowlist = new RefreshingCache<ApiKeyAllowlist>(
            async ct => ApiKeyAllowlist.Parse(await secrets.GetSecretAsync(SecretName, ct)), options ?? SecretRefreshOptions.Default, time);
    }

    public async Task<ApiKeyEntry?> FindAsync(string presentedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presentedKey);
        var allowlist = await _allowlist.GetAsync(cancellationToken);
        if (allowlist.Match(presentedKey) is { } entry)
        {
            return entry;
        }

        var refreshed = await _allowlist.RefreshAfterMissAsync(cancellationToken);
        return ReferenceEquals(refreshed, allowlist) ? null : refreshed.Match(presentedKey);
    }

    public async Task<IReadOnlyList<SecretVersion>> GetSecretVersionsAsync(CancellationToken cancellationToken)
    {
        await _allowlist.GetAsync(cancellationToken);
        var (allowlist, loadedAt) = _allowlist.Snapshot!.Value;
        return [new SecretVersion(SecretName, allowlist.Fingerprint, loadedAt, allowlist.KeyVersions)];
    }

    public void Dispose() => _allowlist.Dispose();
}
