using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Identity;

/// <summary>What a service token is checked against in dev/prod.</summary>
/// <param name="SigningKeysFingerprint">See <see cref="SecretVersion.FingerprintOf"/>; of the <c>jwt-signing-keys</c> value.</param>
public sealed record JwtValidationSettings(string Issuer, string Audience, IReadOnlyList<SecurityKey> SigningKeys, string? SigningKeysFingerprint = null)
{
    public bool HasKey(string keyId) => SigningKeys.Any(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal));
}

/// <summary>
/// Issuer (<c>jwt-issuer</c>), audience (<c>jwt-audience</c>) and signing keys (<c>jwt-signing-keys</c>, a JWKS)
/// from the secret store, re-read when older than <see cref="SecretRefreshOptions.MaxAge"/>, and early
/// (rate-limited) when a token names a <c>kid</c> the set does not hold, so key rollover needs no restart.
/// </summary>
public sealed class SecretStoreJwtSettings : ISecretVersionReporter, IDisposable
{
    public const string IssuerSecret = "jwt-issuer";
    public const string AudienceSecret = "jwt-audience";
    public const string SigningKeysSecret = "jwt-signing-keys";

    /// <summary>The default maximum age of the cached settings.</summary>
    public static readonly TimeSpan CacheLifetime = SecretRefreshOptions.DefaultMaxAge;

    private readonly RefreshingCache<JwtValidationSettings> _settings;

    public SecretStoreJwtSettings(ISecretReader secrets, TimeProvider time, SecretRefreshOptions? options = null)
    {
        _settings = new RefreshingCache<JwtValidationSettings>(ct => LoadAsync(secrets, ct), options ?? SecretRefreshOptions.Default, time);
    }

    /// <summary>The settings last loaded; the token validators read this after <see cref="GetAsync"/> ran for the request.</summary>
    public JwtValidationSettings? Current => _settings.Current;

    public Task<JwtValidationSettings> GetAsync(CancellationToken cancellationToken) => _settings.GetAsync(cancellationToken);

    /// <summary>The settings, re-read first (rate-limited) when <paramref name="keyId"/> is not among the signing keys.</summary>
    public async Task<JwtValidationSettings> GetForKeyAsync(string? keyId, CancellationToken cancellationToken)
    {
        var settings = await _settings.GetAsync(cancellationToken);
        return string.IsNullOrEmpty(keyId) || settings.HasKey(keyId) ? settings : await _settings.RefreshAfterMissAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SecretVersion>> GetSecretVersionsAsync(CancellationToken cancellationToken)
    {
        await _settings.GetAsync(cancellationToken);
        var (settings, loadedAt) = _settings.Snapshot!.Value;
        var keyIds = settings.SigningKeys.Select(k => string.IsNullOrEmpty(k.KeyId) ? "(no kid)" : k.KeyId).ToList();
        return [new SecretVersion(SigningKeysSecret, settings.SigningKeysFingerprint!, loadedAt, keyIds)];
    }

    public void Dispose() => _settings.Dispose();

    private static async Task<JwtValidationSettings> LoadAsync(ISecretReader secrets, CancellationToken cancellationToken)
    {
        var issuer = await secrets.GetSecretAsync(IssuerSecret, cancellationToken);
        var audience = await secrets.GetSecretAsync(AudienceSecret, cancellationToken);
        var jwks = await secrets.GetSecretAsync(SigningKeysSecret, cancellationToken);
        var keys = new JsonWebKeySet(jwks).GetSigningKeys();
        if (string.IsNullOrWhiteSpace(issuer) || string.IsNullOrWhiteSpace(audience) || keys.Count == 0)
        {
            throw new InvalidDataException("jwt-issuer, jwt-audience and at least one key in jwt-signing-keys are required.");
        }

        return new JwtValidationSettings(issuer.Trim(), audience.Trim(), [.. keys], SecretVersion.FingerprintOf(jwks));
    }
}

/// <summary>
/// Configures the JwtBearer scheme: signature, issuer, audience and lifetime are all required. The handler's
/// validators are synchronous, so the settings are loaded (async, cached) when a bearer token arrives and the
/// validators read that snapshot.
/// </summary>
internal sealed class PlatformJwtBearerOptionsSetup(SecretStoreJwtSettings settings) : IConfigureNamedOptions<JwtBearerOptions>
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private static readonly JsonWebTokenHandler TokenReader = new();

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name == JwtBearerDefaults.AuthenticationScheme)
        {
            Configure(options);
        }
    }

    public void Configure(JwtBearerOptions options)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            NameClaimType = PlatformClaimTypes.Subject,
            RoleClaimType = PlatformClaimTypes.Roles,
            IssuerSigningKeyResolver = (_, _, _, _) => Snapshot().SigningKeys,
            IssuerValidator = (issuer, _, _) => string.Equals(issuer, Snapshot().Issuer, StringComparison.Ordinal)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException("Unexpected issuer."),
            AudienceValidator = (audiences, _, _) => audiences.Contains(Snapshot().Audience, StringComparer.Ordinal),
        };
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = async context =>
            {
                // Only a request that carries a bearer token needs the settings; sidecar calls and probes don't.
                if (BearerToken(context.Request) is { } token)
                {
                    await settings.GetForKeyAsync(KeyIdOf(token), context.HttpContext.RequestAborted);
                }
            },
            OnTokenValidated = context =>
            {
                var token = context.Principal!;
                var roles = token.FindAll(PlatformClaimTypes.Roles).Select(c => c.Value);
                if (ActorPrincipals.TryCreate(
                        token.FindFirst(PlatformClaimTypes.Subject)?.Value,
                        token.FindFirst(PlatformClaimTypes.SourceType)?.Value,
                        roles,
                        AuthMode.Jwt,
                        context.Scheme.Name,
                        out var principal,
                        out var error))
                {
                    context.Principal = principal;
                }
                else
                {
                    context.Fail(error);
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var header = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                await IdentityProblems.WriteUnauthorizedAsync(context.HttpContext, header);
            },
            OnForbidden = context => IdentityProblems.WriteForbiddenAsync(context.HttpContext),
        };
    }

    private static string? BearerToken(HttpRequest request)
    {
        const string prefix = "Bearer ";
        var header = request.Headers.Authorization.FirstOrDefault(v => v?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true);
        return header?[prefix.Length..].Trim();
    }

    // The kid of a well-formed token; a malformed one gets null and is refused by the validators.
    private static string? KeyIdOf(string token)
    {
        try
        {
            return TokenReader.CanReadToken(token) ? TokenReader.ReadJsonWebToken(token).Kid : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private JwtValidationSettings Snapshot() =>
        settings.Current ?? throw new SecurityTokenException("Token validation settings are not loaded.");
}
