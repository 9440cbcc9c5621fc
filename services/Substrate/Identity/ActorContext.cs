using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Platform.Substrate.Identity;

/// <summary>Whether an actor is a service or a person (seed §2); the prefix of its <c>actor_id</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SourceType>))]
public enum SourceType
{
    [JsonStringEnumMemberName("SYSTEM")]
    System = 1,

    [JsonStringEnumMemberName("HUMAN")]
    Human = 2,
}

/// <summary>How the caller proved who it is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AuthMode>))]
public enum AuthMode
{
    /// <summary>local_parity: an <c>X-Api-Key</c> from the allowlist in the secret store.</summary>
    [JsonStringEnumMemberName("api_key")]
    ApiKey = 1,

    /// <summary>dev/prod: a signed service token (JWT) whose issuer, audience and keys come from the secret store.</summary>
    [JsonStringEnumMemberName("jwt")]
    Jwt = 2,
}

/// <summary>Claim types of the principal the platform's schemes produce; JSON field names of the same facts.</summary>
public static class PlatformClaimTypes
{
    public const string ActorId = "actor_id";
    public const string SourceType = "source_type";
    public const string AuthMode = "auth_mode";
    public const string Roles = "roles";
    public const string Subject = "sub";
}

/// <summary>
/// Who is calling a writer boundary, taken from the authenticated principal only. Nothing in a request body can
/// change it; a payload that names another actor is simply not consulted.
/// </summary>
public sealed record ActorContext(string ActorId, SourceType SourceType, AuthMode AuthMode, IReadOnlySet<string> Roles)
{
    public const string SystemPrefix = "SYSTEM";
    public const string HumanPrefix = "HUMAN";
    public const string Separator = "::";

    public string SourceTypeName => SourceTypes.ToWireName(SourceType);

    public string AuthModeName => AuthModes.ToWireName(AuthMode);

    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>The actor behind an authenticated principal, or null when it carries no consistent platform identity.</summary>
    public static ActorContext? FromPrincipal(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var actorId = principal.FindFirstValue(PlatformClaimTypes.ActorId);
        var sourceType = principal.FindFirstValue(PlatformClaimTypes.SourceType);
        if (actorId is null
            || !SourceTypes.TryParse(sourceType, out var parsedSource)
            || !actorId.StartsWith(sourceType + Separator, StringComparison.Ordinal)
            || !AuthModes.TryParse(principal.FindFirstValue(PlatformClaimTypes.AuthMode), out var mode))
        {
            return null;
        }

        var roles = principal.FindAll(PlatformClaimTypes.Roles).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new ActorContext(actorId, parsedSource, mode, roles);
    }
}

public static class SourceTypes
{
    public static string ToWireName(SourceType sourceType) => sourceType switch
    {
        SourceType.System => ActorContext.SystemPrefix,
        SourceType.Human => ActorContext.HumanPrefix,
        _ => throw new ArgumentOutOfRangeException(nameof(sourceType), sourceType, "Not a source type."),
    };

    /// <summary>Exact, case-sensitive <c>SYSTEM</c> or <c>HUMAN</c>.</summary>
    public static bool TryParse(string? value, out SourceType sourceType)
    {
        (var ok, sourceType) = value switch
        {
            ActorContext.SystemPrefix => (true, SourceType.System),
            ActorContext.HumanPrefix => (true, SourceType.Human),
            _ => (false, default),
        };
        return ok;
    }
}

public static class AuthModes
{
    private const string ApiKey = "api_key";
    private const string Jwt = "jwt";

    public static string ToWireName(AuthMode mode) => mode switch
    {
        AuthMode.ApiKey => ApiKey,
        AuthMode.Jwt => Jwt,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not an auth mode."),
    };

    public static bool TryParse(string? value, out AuthMode mode)
    {
        (var ok, mode) = value switch
        {
            ApiKey => (true, AuthMode.ApiKey),
            Jwt => (true, AuthMode.Jwt),
            _ => (false, default),
        };
        return ok;
    }
}

public static class ActorContextHttpExtensions
{
    /// <summary>
    /// The caller of an endpoint guarded by a platform policy. Throws if there is none, which only happens when an
    /// endpoint was mapped without authorization: a wiring bug, never a reason to fall back to anonymous.
    /// </summary>
    public static ActorContext GetActorContext(this HttpContext context) =>
        ActorContext.FromPrincipal(context.User)
        ?? throw new InvalidOperationException("The request carries no authenticated platform actor; is the endpoint authorized?");
}
