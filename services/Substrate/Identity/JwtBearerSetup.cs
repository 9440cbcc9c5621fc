using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Identity;

/// <summary>What a service token is checked against in dev/prod.</summary>
public sealed record JwtValidationSettings(string Issuer, string Audience, IReadOnlyList<SecurityKey> SigningKeys);

/// <summary>
/// Issuer (<c>jwt-issuer</c>), audience (<c>jwt-audience</c>) and signing keys (<c>jwt-signing-keys</c>, a JWKS)
/// from the secret store, re-read at most every <see cref="CacheLifetime"/> so key rollover needs no restart.
/// </summary>
public sealed class SecretStoreJwtSettings : IDisposable
{
    public const string IssuerSecret = "jwt-issuer";
    public const string AudienceSecret = "jwt-audience";
    public const string SigningKeysSecret = "jwt-signing-keys";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);

    private readonly RefreshingCache<JwtValidationSettings> _settings;

    public SecretStoreJwtSettings(ISecretReader secrets, TimeProvider time)
    {
        _settings = new RefreshingCache<JwtValidationSettings>(ct => LoadAsync(secrets, ct), CacheLifetime, time);
    }

    /// <summary>The settings last loaded; the token validators read this after <see cref="GetAsync"/> ran for the request.</summary>
    public JwtValidationSettings? Current => _settings.Current;

    public Task<JwtValidationSettings> GetAsync(CancellationToken cancellationToken) => _settings.GetAsync(cancellationToken);

    public void Dispose() => _settings.Dispose();

    private static async Task<JwtValidationSettings> LoadAsync(ISecretReader secrets, CancellationToken cancellationToken)
    {
        var issuer = await secrets.GetSecretAsync(IssuerSecret, cancellationToken);
        var audience = await secrets.GetSecretAsync(AudienceSecret, cancellationToken);
        var keys = new JsonWebKeySet(await secrets.GetSecretAsync(SigningKeysSecret, cancellationToken)).GetSigningKeys();
        if (string.IsNullOrWhiteSpace(issuer) || string.IsNullOrWhiteSpace(audience) || keys.Count == 0)
        {
            throw new InvalidDataException("jwt-issuer, jwt-audience and at least one key in jwt-signing-keys are required.");
        }

        return new JwtValidationSettings(issuer.Trim(), audience.Trim(), [.. keys]);
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
                if (context.Request.Headers.Authorization.Any(v => v?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true))
                {
                    await settings.GetAsync(context.HttpContext.RequestAborted);
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

    private JwtValidationSettings Snapshot() =>
        settings.Current ?? throw new SecurityTokenException("Token validation settings are not loaded.");
}
