using Microsoft.AspNetCore.Http;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Errors;

/// <summary>
/// A writer may name the policy_rev it expects in <c>X-Policy-Rev</c> (its content_digest); a writer boundary refuses
/// the request (409, fail closed) when that is not the policy in force, so nothing is written under a policy the
/// caller did not expect.
/// </summary>
public static class ExpectedPolicyRev
{
    public const string Header = "X-Policy-Rev";

    /// <summary>Null when the request names no policy_rev or the one in force; otherwise what to tell the caller.</summary>
    public static string? Mismatch(HttpRequest request, PolicyRev inForce)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(inForce);
        if (!request.Headers.TryGetValue(Header, out var expected))
        {
            return null;
        }

        return expected.Count == 1 && inForce.IsNamedBy(expected[0])
            ? null
            : $"{Header} must be the content_digest of the {inForce.PolicyId} policy_rev in force ({inForce.ContentDigest}, revision {inForce.Revision}).";
    }
}
