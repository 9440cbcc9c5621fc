using System.Security.Cryptography;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;

namespace Platformctl.Secrets;

/// <summary>What a rotation changed: the secret's new value and the version it names. Never printed whole.</summary>
/// <param name="NewCredential">The new raw credential to hand out once (API keys); null when nothing new was made.</param>
public sealed record RotationOutcome(string SecretValue, string Version, string Action, string? NewCredential, IReadOnlyList<string> Retired);

/// <summary>
/// The <c>api-keys</c> allowlist: a rotation adds the next version of one key_id next to the old one (both valid);
/// retiring removes every older version of it. Only hashes are stored; the new raw key is returned once.
/// </summary>
public static class ApiKeyRotation
{
    public const string SecretName = SecretStoreApiKeyDirectory.SecretName;

    /// <summary>A new raw key in the format make-secrets.js hands out: <c>pk_</c> + 32 random bytes, base64url.</summary>
    public static string NewRawKey() => "pk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static RotationOutcome AddVersion(string allowlistJson, string? keyId, Func<string> newRawKey)
    {
        ArgumentNullException.ThrowIfNull(newRawKey);
        var entries = Parse(allowlistJson);
        var id = ResolveKeyId(entries, keyId);
        var latest = entries.Where(e => e.KeyId == id).MaxBy(e => e.EffectiveVersion)!;
        var rawKey = newRawKey();
        var added = latest with { KeySha256 = ApiKeyEntry.HashOf(rawKey), Version = latest.EffectiveVersion + 1 };
        return new RotationOutcome(Serialize([.. entries, added]), Name(added), "added", rawKey, []);
    }

    public static RotationOutcome RetireOld(string allowlistJson, string? keyId)
    {
        var entries = Parse(allowlistJson);
        var id = ResolveKeyId(entries, keyId);
        var latest = entries.Where(e => e.KeyId == id).MaxBy(e => e.EffectiveVersion)!;
        var retired = entries.Where(e => e.KeyId == id && e.EffectiveVersion < latest.EffectiveVersion).ToList();
        if (retired.Count == 0)
        {
            throw new RotationException($"{SecretName}: '{id}' has only version {latest.EffectiveVersion}; nothing to retire");
        }

        var kept = entries.Where(e => !retired.Contains(e)).ToList();
        return new RotationOutcome(Serialize(kept), Name(latest), "retired_old", null, [.. retired.Select(Name)]);
    }

    private static string Name(ApiKeyEntry entry) => $"{entry.KeyId}@{entry.EffectiveVersion}";

    private static List<ApiKeyEntry> Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<ApiKeyEntry>>(json, PlatformJson.Options)
                ?? throw new RotationException($"{SecretName} is JSON null");
        }
        catch (JsonException e)
        {
            throw new RotationException($"{SecretName} is not a JSON array of allowlist entries: {e.Message}");
        }
    }

    private static string ResolveKeyId(List<ApiKeyEntry> entries, string? keyId)
    {
        var ids = entries.Select(e => e.KeyId).Distinct(StringComparer.Ordinal).ToList();
        if (keyId is null)
        {
            return ids.Count == 1
                ? ids[0]
                : throw new RotationException($"{SecretName} holds several key ids; name one with --key-id: {string.Join(", ", ids)}");
        }

        return ids.Contains(keyId, StringComparer.Ordinal)
            ? keyId
            : throw new RotationException($"{SecretName} has no key id '{keyId}'; known: {string.Join(", ", ids)}");
    }

    private static string Serialize(List<ApiKeyEntry> entries) => JsonSerializer.Serialize(entries, PlatformJson.Options);
}
