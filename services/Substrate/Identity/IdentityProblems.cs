using Microsoft.AspNetCore.Http;

namespace Platform.Substrate.Identity;

/// <summary>401 and 403 answers as problem+json. Details stay generic: a caller learns no more than "not accepted".</summary>
internal static class IdentityProblems
{
    public static Task WriteUnauthorizedAsync(HttpContext context, string wwwAuthenticate)
    {
        context.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Authentication required",
                detail: "The request carries no valid credential for this writer boundary.")
            .ExecuteAsync(context);
    }

    public static Task WriteForbiddenAsync(HttpContext context) =>
        Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Not allowed",
                detail: "The authenticated actor is not allowed to write at this boundary.")
            .ExecuteAsync(context);
}
