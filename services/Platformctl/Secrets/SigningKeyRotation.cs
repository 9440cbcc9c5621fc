using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using Platform.Substrate.Identity;

namespace Platformctl.Secrets;

/// <summary>
/// The <c>jwt-signing-keys</c> JWKS (public verification keys, what apps read) and its private half
/// <c>jwt-signing-private-keys</c> (issuer side only; no app's secret scopes allow it). A rotation adds a new ES256
/// key <c>jwt-v&lt;n&gt;</c> to both sets, so tokens signed with the old key stay valid until it is retired.
/// </summary>
public static class SigningKeyRotation
{
    public const string SecretName = SecretStoreJwtSettings.SigningKeysSecret;
    public const string PrivateSecretName = "jwt-signing-private-keys";
    private const string KidPrefix = "jwt-v";

    /// <summary>Adds a new key; returns the public and the private set.</summary>
    public static (RotationOutcome Public, string PrivateSet) AddKey(string? publicSet, string? privateSet)
    {
        var publicKeys = Keys(publicSet, SecretName);
        var privateKeys = Keys(privateSet, PrivateSecretName);
        var next = publicKeys.Select(k => Number(k?["kid"]?.GetValue<string>())).DefaultIfEmpty(0).Max() + 1;
        var kid = KidPrefix + next.ToString(CultureInfo.InvariantCulture);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        JsonObject Jwk(bool includePrivate)
        {
            var jwk = new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["use"] = "sig",
                ["alg"] = SecurityAlgorithms.EcdsaSha256,
                ["kid"] = kid,
                ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
                ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            };
            if (includePrivate)
            {
                jwk["d"] = Base64UrlEncoder.Encode(parameters.D);
            }

            return jwk;
        }

        publicKeys.Add(Jwk(includePrivate: false));
        privateKeys.Add(Jwk(includePrivate: true));
        CryptographicOperations.ZeroMemory(parameters.D);
        return (new RotationOutcome(Set(publicKeys), kid, "added", null, []), Set(privateKeys));
    }

    /// <summary>Keeps only the newest key in both sets.</summary>
    public static (RotationOutcome Public, string PrivateSet) RetireOld(string? publicSet, string? privateSet)
    {
        var publicKeys = Keys(publicSet, SecretName);
        var privateKeys = Keys(privateSet, PrivateSecretName);
        var kids = publicKeys.Select(k => k?["kid"]?.GetValue<string>() ?? string.Empty).ToList();
        if (kids.Count < 2)
        {
            throw new RotationException($"{SecretName} holds {kids.Count} key(s); nothing to retire");
        }

        var newest = kids.MaxBy(Number)!;
        var retired = kids.Where(k => k != newest).ToList();
        JsonArray Keep(JsonArray keys) => [.. keys.Where(k => k?["kid"]?.GetValue<string>() == newest).Select(k => k!.DeepClone())];
        return (new RotationOutcome(Set(Keep(publicKeys)), newest, "retired_old", null, retired), Set(Keep(privateKeys)));
    }

    private static int Number(string? kid) =>
        kid is not null && kid.StartsWith(KidPrefix, StringComparison.Ordinal)
        && int.TryParse(kid.AsSpan(KidPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static JsonArray Keys(string? set, string name)
    {
        if (set is null)
        {
            return [];
        }

        return JsonNode.Parse(set)?["keys"] is JsonArray keys
            ? (JsonArray)keys.DeepClone()
            : throw new RotationException($"{name} is not a JWKS ({{\"keys\": [...]}})");
    }

    private static string Set(JsonArray keys) => new JsonObject { ["keys"] = keys }.ToJsonString();
}
