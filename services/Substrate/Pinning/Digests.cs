using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Pinning;

/// <summary>
/// The hashing convention of every contract: <c>H(x)</c> = SHA-256 over the canonical JSON (RFC 8785) of x, as
/// lowercase hex; <c>hex32</c> = its first 32 characters.
/// </summary>
public static partial class Digests
{
    /// <summary>Lowercase hex SHA-256 of raw bytes.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary><c>H(value)</c>; records are serialized with <see cref="PlatformJson.Options"/> first.</summary>
    public static string Of<T>(T value) => Sha256Hex(CanonicalJson.Serialize(value));

    /// <summary><c>H(element)</c>.</summary>
    public static string Of(JsonElement element) => Sha256Hex(CanonicalJson.Serialize(element));

    /// <summary>The first 32 characters of a lowercase hex digest (at least 32 characters long).</summary>
    public static string Hex32(string hexDigest)
    {
        ArgumentNullException.ThrowIfNull(hexDigest);
        return LowercaseHex().IsMatch(hexDigest) && hexDigest.Length >= 32
            ? hexDigest[..32]
            : throw new ArgumentException("Expected a lowercase hex digest of at least 32 characters.", nameof(hexDigest));
    }

    /// <summary>True for a full SHA-256 digest in our convention: 64 lowercase hex characters.</summary>
    public static bool IsHex64(string? value) => value is { Length: 64 } && LowercaseHex().IsMatch(value);

    [GeneratedRegex("^[0-9a-f]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LowercaseHex();
}
