using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Platform.Substrate.Errors;

/// <summary>
/// One kind of error every app answers the same way (RFC 7807 / RFC 9457): a stable <see cref="Code"/>, whose
/// problem <c>type</c> URI is <c>https://errors.platform.local/&lt;code&gt;</c>, an HTTP status and a fixed title.
/// The URI names the error kind; it is not promised to resolve.
/// </summary>
public sealed record PlatformProblem(string Code, int Status, string Title)
{
    /// <summary>The problem <c>type</c>: <see cref="PlatformProblems.TypeBase"/> + <see cref="Code"/>.</summary>
    public string Type => PlatformProblems.TypeBase + Code;

    /// <summary>
    /// A problem details body for this error. <paramref name="detail"/> is shown to the caller: put only what the
    /// caller may see there (never exception messages, payloads or secrets).
    /// </summary>
    public ProblemDetails ToProblemDetails(string? detail = null, IEnumerable<KeyValuePair<string, object?>>? extensions = null)
    {
        var problem = new ProblemDetails { Type = Type, Title = Title, Status = Status, Detail = detail };
        foreach (var (key, value) in extensions ?? [])
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    /// <summary>The endpoint result for this error (written as application/problem+json).</summary>
    public ProblemHttpResult ToResult(string? detail = null, IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        TypedResults.Problem(ToProblemDetails(detail, extensions));
}

/// <summary>The catalogue of errors shared by every app; apps add their own <see cref="PlatformProblem"/>s the same way.</summary>
public static class PlatformProblems
{
    /// <summary>Base of every problem <c>type</c> URI.</summary>
    public const string TypeBase = "https://errors.platform.local/";

    public static readonly PlatformProblem BadRequest = new("bad_request", StatusCodes.Status400BadRequest, "The request is malformed.");
    public static readonly PlatformProblem Unauthenticated = new("unauthenticated", StatusCodes.Status401Unauthorized, "Authentication is required.");
    public static readonly PlatformProblem Forbidden = new("forbidden", StatusCodes.Status403Forbidden, "The caller is not allowed to do this.");
    public static readonly PlatformProblem NotFound = new("not_found", StatusCodes.Status404NotFound, "The resource does not exist.");
    public static readonly PlatformProblem MethodNotAllowed = new("method_not_allowed", StatusCodes.Status405MethodNotAllowed, "The method is not allowed on this resource.");
    public static readonly PlatformProblem NotAcceptable = new("not_acceptable", StatusCodes.Status406NotAcceptable, "No acceptable representation is available.");
    public static readonly PlatformProblem Conflict = new("conflict", StatusCodes.Status409Conflict, "The request conflicts with the current state.");
    public static readonly PlatformProblem PolicyRevMismatch = new("policy_rev_mismatch", StatusCodes.Status409Conflict, "The expected policy_rev does not match the one in force.");
    public static readonly PlatformProblem PayloadTooLarge = new("payload_too_large", StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
    public static readonly PlatformProblem UnsupportedMediaType = new("unsupported_media_type", StatusCodes.Status415UnsupportedMediaType, "The media type is not supported.");
    public static readonly PlatformProblem RateLimited = new("rate_limited", StatusCodes.Status429TooManyRequests, "Too many requests; retry later.");
    public static readonly PlatformProblem InternalError = new("internal_error", StatusCodes.Status500InternalServerError, "An unexpected error occurred.");
    public static readonly PlatformProblem Unavailable = new("unavailable", StatusCodes.Status503ServiceUnavailable, "The service is temporarily unavailable; retry later.");

    /// <summary>400 for a <c>{platform_run_id}</c> route value that is not one: the same words on every service.</summary>
    public static ProblemHttpResult MalformedPlatformRunId() => BadRequest.ToResult("A platform_run_id looks like platform_YYYYMMDDTHHMMSSZ.");

    private static readonly Dictionary<int, PlatformProblem> ByStatus = new[]
    {
        BadRequest, Unauthenticated, Forbidden, NotFound, MethodNotAllowed, NotAcceptable, Conflict,
        PayloadTooLarge, UnsupportedMediaType, RateLimited, InternalError, Unavailable,
    }.ToDictionary(problem => problem.Status);

    /// <summary>
    /// The generic problem for an HTTP status (used when the framework produces the error: 404, 405, 401 ...);
    /// a status without a catalogue entry gets the code <c>http_&lt;status&gt;</c>.
    /// </summary>
    public static PlatformProblem ForStatus(int status) =>
        ByStatus.TryGetValue(status, out var problem)
            ? problem
            : new PlatformProblem($"http_{status}", status, ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error");
}

/// <summary>
/// Thrown from an endpoint or filter to answer with <see cref="Problem"/>; <see cref="Detail"/> and
/// <see cref="Extensions"/> are shown to the caller, so they carry only what the caller may see.
/// </summary>
public sealed class PlatformProblemException : Exception
{
    public PlatformProblemException(PlatformProblem problem, string? detail = null, IReadOnlyDictionary<string, object?>? extensions = null)
        : base(detail ?? problem?.Title)
    {
        Problem = problem ?? throw new ArgumentNullException(nameof(problem));
        Detail = detail;
        Extensions = extensions ?? new Dictionary<string, object?>();
    }

    public PlatformProblem Problem { get; }

    public string? Detail { get; }

    public IReadOnlyDictionary<string, object?> Extensions { get; }
}
