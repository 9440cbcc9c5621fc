using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;

namespace Platform.Substrate.Identity;

/// <summary>
/// Turns an authenticated principal name plus its declared source type into the platform principal. Both schemes
/// go through here, so the rules are the same in every environment.
/// </summary>
internal static class ActorPrincipals
{
    /// <summary>
    /// <paramref name="principalName"/> is either a bare id (<c>ig-traffic-sim</c>, made <c>SYSTEM::ig-traffic-sim</c>)
    /// or an actor id already (<c>HUMAN::alice</c>), whose prefix must then equal <paramref name="sourceType"/>.
    /// A missing or unknown source type, a contradicting prefix or an empty id fails closed.
    /// </summary>
    public static bool TryCreate(
        string? principalName,
        string? sourceType,
        IEnumerable<string> roles,
        AuthMode authMode,
        string authenticationScheme,
        [NotNullWhen(true)] out ClaimsPrincipal? principal,
        [NotNullWhen(false)] out string? error)
    {
        principal = null;
        if (!SourceTypes.TryParse(sourceType, out var parsedSource))
        {
            error = "The credential carries no valid source_type (SYSTEM or HUMAN).";
            return false;
        }

        if (!TryActorId(principalName, parsedSource, out var actorId, out error))
        {
            return false;
        }

        var claims = new List<Claim>
        {
            new(PlatformClaimTypes.Subject, principalName!),
            new(PlatformClaimTypes.ActorId, actorId),
            new(PlatformClaimTypes.SourceType, SourceTypes.ToWireName(parsedSource)),
            new(PlatformClaimTypes.AuthMode, AuthModes.ToWireName(authMode)),
        };
        claims.AddRange(roles.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct(StringComparer.Ordinal)
            .Select(r => new Claim(PlatformClaimTypes.Roles, r)));
        principal = new ClaimsPrincipal(
            new ClaimsIdentity(claims, authenticationScheme, PlatformClaimTypes.ActorId, PlatformClaimTypes.Roles));
        return true;
    }

    private static bool TryActorId(
        string? principalName, SourceType sourceType, [NotNullWhen(true)] out string? actorId, [NotNullWhen(false)] out string? error)
    {
        actorId = null;
        var prefix = SourceTypes.ToWireName(sourceType);
        var id = principalName;
        var separator = principalName?.IndexOf(ActorContext.Separator, StringComparison.Ordinal) ?? -1;
        if (separator >= 0)
        {
            if (!string.Equals(principalName![..separator], prefix, StringComparison.Ordinal))
            {
                error = $"The principal's actor prefix contradicts source_type {prefix}.";
                return false;
            }

            id = principalName[(separator + ActorContext.Separator.Length)..];
        }

        if (string.IsNullOrEmpty(id) || id.Contains(ActorContext.Separator, StringComparison.Ordinal)
            || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = "The credential names no valid principal.";
            return false;
        }

        actorId = prefix + ActorContext.Separator + id;
        error = null;
        return true;
    }
}
