using System.Text.Json;
using IngestionGate.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace IngestionGate.Endpoints;

/// <summary>An operator's decision about an unconfirmed publish.</summary>
public sealed record ResolveRequest(ResolveOutcome Outcome, string? Note);

/// <summary>The admission after a resolution, and the ADMIT receipt's headline.</summary>
public sealed record ResolveResponse(AdmissionView Admission, ReceiptSummary Receipt);

/// <summary>
/// Operator endpoints (Operator policy): <c>GET /v1/admissions/{dedupe_key}</c> shows an admission row (never its
/// envelope); <c>POST /v1/admissions/{dedupe_key}:resolve</c> settles one whose publish is unconfirmed
/// (<see cref="AdmissionOperations"/>).
/// </summary>
public static class AdmissionsApi
{
    private const int MaxResolveBytes = 16 * 1024;
    private const int MaxNoteLength = 1000;

    public static IEndpointRouteBuilder MapAdmissionsApi(this IEndpointRouteBuilder endpoints)
    {
        var admissions = endpoints.MapGroup("/v1/admissions").RequireAuthorization(WriterBoundaries.Operator);
        admissions.MapGet("/{dedupe_key}", GetAdmissionAsync);
        admissions.MapPost("/{dedupe_key}:resolve", ResolveAsync);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<AdmissionView>, ProblemHttpResult>> GetAdmissionAsync(
        [FromRoute(Name = "dedupe_key")] string dedupeKey, AdmissionOperations operations, CancellationToken cancellationToken)
    {
        if (!Digests.IsHex64(dedupeKey))
        {
            return PlatformProblems.NotFound.ToResult("A dedupe_key is 64 lowercase hex characters.");
        }

        return await operations.GetAsync(dedupeKey, cancellationToken) is { } view
            ? TypedResults.Json(view, PlatformJson.Options)
            : PlatformProblems.NotFound.ToResult("No admission has this dedupe_key.");
    }

    private static async Task<Results<JsonHttpResult<ResolveResponse>, ProblemHttpResult>> ResolveAsync(
        [FromRoute(Name = "dedupe_key")] string dedupeKey, HttpContext http, AdmissionOperations operations, CancellationToken cancellationToken)
    {
        if (!Digests.IsHex64(dedupeKey))
        {
            return PlatformProblems.NotFound.ToResult("A dedupe_key is 64 lowercase hex characters.");
        }

        var body = await JsonRequestBody.ReadAsync(http.Request, MaxResolveBytes, cancellationToken);
        ResolveRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ResolveRequest>(body.Span, PlatformJson.Options);
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null || !Enum.IsDefined(request.Outcome) || request.Note?.Length > MaxNoteLength)
        {
            return PlatformProblems.BadRequest.ToResult(
                $"Expected {{\"outcome\": \"republish\" | \"mark_admitted\", \"note\": \"<at most {MaxNoteLength} characters>\"}}.");
        }

        var result = await operations.ResolveAsync(dedupeKey, request.Outcome, request.Note, http.GetActorContext(), cancellationToken);
        return result.Problem is { } problem
            ? problem.ToResult(result.Detail)
            : TypedResults.Json(new ResolveResponse(result.Admission!, ReceiptSummary.Of(result.Receipt!)), PlatformJson.Options);
    }
}
