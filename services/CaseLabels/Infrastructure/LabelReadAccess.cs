using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Platform.Substrate.Identity;

namespace CaseLabels.Infrastructure;

/// <summary>
/// Who may read label timelines: an authenticated platform actor holding the operator or labeler role, or an internal
/// app (<see cref="CaseLabelsOptions.InternalReaders"/>, e.g. <c>ofs</c>) calling through Dapr service invocation. The
/// latter is recognised by the <c>dapr-caller-app-id</c> header its sidecar sets and, whenever <c>APP_API_TOKEN</c> is
/// configured (always in dev/prod), by the <c>dapr-api-token</c> only the sidecar knows. In local_parity without the
/// token the header alone decides, the same posture Substrate gives every sidecar-facing endpoint there.
/// </summary>
public static class LabelReadAccess
{
    public const string Policy = "labels:read";
    public const string CallerAppIdHeader = "dapr-caller-app-id";
    public const string DaprApiTokenHeader = "dapr-api-token";

    public static void AddPolicy(AuthorizationOptions options, IReadOnlyCollection<string> internalReaders, string? appApiToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var readers = internalReaders.ToHashSet(StringComparer.Ordinal);
        var token = string.IsNullOrEmpty(appApiToken) ? null : Encoding.UTF8.GetBytes(appApiToken);
        options.AddPolicy(Policy, policy => policy.RequireAssertion(context =>
            (ActorContext.FromPrincipal(context.User) is { } actor && (actor.HasRole(PlatformRoles.Operator) || actor.HasRole(PlatformRoles.Labeler)))
            || (context.Resource is HttpContext http && IsInternalReader(http.Request.Headers, readers, token))));
    }

    internal static bool IsInternalReader(IHeaderDictionary headers, IReadOnlySet<string> readers, byte[]? token)
    {
        if (headers[CallerAppIdHeader] is not [{ } callerAppId] || !readers.Contains(callerAppId))
        {
            return false;
        }

        return token is null
            || (headers[DaprApiTokenHeader] is [{ } presented]
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), token));
    }
}
