using System.Text.Json;
using CaseLabels.Domain;
using CaseLabels.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using Platform.Substrate.Telemetry;

namespace CaseLabels.Endpoints;

/// <summary>One item of a batch answer, at its <see cref="Index"/>: an ack, or an HTTP <see cref="Status"/> with its problem.</summary>
public sealed record LabelBatchItem(int Index, LabelAck? Ack = null, int? Status = null, ProblemDetails? Problem = null);

public sealed record LabelBatchResponse(IReadOnlyList<LabelBatchItem> Results);

/// <summary>A subject's timeline, in append order.</summary>
public sealed record LabelTimelineResponse(string PlatformRunId, string EventId, IReadOnlyList<StoredLabel> Labels);

/// <summary>One page of a run's labels; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record LabelPageResponse(string PlatformRunId, IReadOnlyList<StoredLabel> Labels, string? NextCursor);

/// <summary>
/// The Label Store API. Writes (<c>POST /v1/labels</c>, <c>POST /v1/labels:batch</c>) need the LabelWriter policy
/// (role labeler or label-feed) and check, in order: media type (415) and size (413) → JSON and the assertion schema
/// (400) → expected label policy_rev (<c>X-Policy-Rev</c> = content_digest, 409) → the writer, which answers an ack
/// (ACCEPTED or REJECTED with a reason code). Request errors write nothing. Reads need the <see cref="LabelReadAccess"/> policy.
/// </summary>
public static class LabelsApi
{
    public static IEndpointRouteBuilder MapLabelsApi(this IEndpointRouteBuilder endpoints)
    {
        var writes = endpoints.MapGroup("/v1").RequireAuthorization(WriterBoundaries.LabelWriter);
        writes.MapPost("/labels", PostLabelAsync);
        writes.MapPost("/labels:batch", PostBatchAsync);
        var reads = endpoints.MapGroup("/v1").RequireAuthorization(LabelReadAccess.Policy);
        reads.MapGet("/labels/{platform_run_id}/{event_id}", GetTimelineAsync);
        reads.MapGet("/labels", GetRunPageAsync);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<LabelAck>, ProblemHttpResult>> PostLabelAsync(
        HttpContext http, LabelWriter writer, CmContext context, CorridorCounters counters, IOptions<CaseLabelsOptions> options, CancellationToken cancellationToken)
    {
        var caller = http.GetActorContext();
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxLabelBytes, cancellationToken);
        if (!LabelRequests.TryParseJson(body, out var document, out var error))
        {
            return Refuse(counters, PlatformProblems.BadRequest, error);
        }

        LabelAssertion? assertion;
        using (document)
        {
            if (!LabelRequests.TryRead(document.RootElement, context.Policy.AssertionSchema, out assertion, out error))
            {
                return Refuse(counters, PlatformProblems.BadRequest, error);
            }
        }

        if (ExpectedPolicyRev.Mismatch(http.Request, context.Policy.PolicyRev) is { } mismatch)
        {
            return Refuse(counters, PlatformProblems.PolicyRevMismatch, mismatch);
        }

        return TypedResults.Json(await writer.WriteAsync(assertion, caller, cancellationToken), PlatformJson.Options);
    }

    private static async Task<Results<JsonHttpResult<LabelBatchResponse>, ProblemHttpResult>> PostBatchAsync(
        HttpContext http, LabelWriter writer, CmContext context, CorridorCounters counters, IOptions<CaseLabelsOptions> options, CancellationToken cancellationToken)
    {
        var caller = http.GetActorContext();
        var settings = options.Value;
        var body = await JsonRequestBody.ReadAsync(http.Request, settings.MaxBatchBytes, cancellationToken);
        if (!LabelRequests.TryParseJson(body, out var document, out var error))
        {
            return Refuse(counters, PlatformProblems.BadRequest, error);
        }

        LabelBatchItem?[] results;
        var valid = new List<(int Index, LabelAssertion Assertion)>();
        using (document)
        {
            var items = document.RootElement;
            if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
            {
                return Refuse(counters, PlatformProblems.BadRequest, $"The body must be a JSON array of 1 to {CaseLabelsOptions.MaxBatchItems} label assertions.");
            }

            if (items.GetArrayLength() > CaseLabelsOptions.MaxBatchItems)
            {
                return Refuse(counters, PlatformProblems.PayloadTooLarge, $"A batch carries at most {CaseLabelsOptions.MaxBatchItems} label assertions.");
            }

            if (ExpectedPolicyRev.Mismatch(http.Request, context.Policy.PolicyRev) is { } mismatch)
            {
                return Refuse(counters, PlatformProblems.PolicyRevMismatch, mismatch);
            }

            results = new LabelBatchItem?[items.GetArrayLength()];
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (LabelRequests.TryRead(item, context.Policy.AssertionSchema, out var assertion, out error))
                {
                    valid.Add((index, assertion));
                }
                else
                {
                    counters.Record(LabelGovernance.Corridor, CorridorOutcome.Refused, PlatformProblems.BadRequest.Code.ToUpperInvariant());
                    results[index] = Failed(index, PlatformProblems.BadRequest, error);
                }

                index++;
            }
        }

        await Parallel.ForEachAsync(
            valid,
            new ParallelOptions { MaxDegreeOfParallelism = settings.BatchConcurrency, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                try
                {
                    results[item.Index] = new LabelBatchItem(item.Index, Ack: await writer.WriteAsync(item.Assertion, caller, ct));
                }
                catch (PlatformProblemException problem)
                {
                    results[item.Index] = Failed(item.Index, problem.Problem, problem.Detail);
                }
            });
        return TypedResults.Json(new LabelBatchResponse([.. results.Select(r => r!)]), PlatformJson.Options);
    }

    private static async Task<Results<JsonHttpResult<LabelTimelineResponse>, ProblemHttpResult>> GetTimelineAsync(
        [FromRoute(Name = "platform_run_id")] string platformRunId, [FromRoute(Name = "event_id")] string eventId, LabelStore store, CancellationToken cancellationToken)
    {
        if (!PlatformRunId.IsValid(platformRunId) || !EventIds.IsValidEventId(eventId))
        {
            return PlatformProblems.BadRequest.ToResult("platform_run_id must be platform_YYYYMMDDTHHMMSSZ and event_id an event id.");
        }

        var subject = new LabelSubjectKey(platformRunId, eventId);
        var labels = await store.ReadTimelineAsync(subject, cancellationToken);
        return TypedResults.Json(new LabelTimelineResponse(platformRunId, eventId, labels), PlatformJson.Options);
    }

    private static async Task<Results<JsonHttpResult<LabelPageResponse>, ProblemHttpResult>> GetRunPageAsync(
        [FromQuery(Name = "platform_run_id")] string? platformRunId, [FromQuery(Name = "cursor")] string? cursor, [FromQuery(Name = "limit")] int? limit,
        LabelStore store, IOptions<CaseLabelsOptions> options, CancellationToken cancellationToken)
    {
        var maxPage = options.Value.MaxReadPage;
        if (!PlatformRunId.IsValid(platformRunId))
        {
            return PlatformProblems.BadRequest.ToResult("platform_run_id (platform_YYYYMMDDTHHMMSSZ) is required.");
        }

        if (!RunCursor.TryParse(cursor, out var from) || from.Bucket >= LabelStore.RunBuckets)
        {
            return PlatformProblems.BadRequest.ToResult("cursor must be a next_cursor of an earlier page.");
        }

        if (limit is < 1 || limit > maxPage)
        {
            return PlatformProblems.BadRequest.ToResult($"limit must be between 1 and {maxPage}.");
        }

        var (labels, next) = await store.ReadRunAsync(platformRunId!, from, limit ?? maxPage, cancellationToken);
        return TypedResults.Json(new LabelPageResponse(platformRunId!, labels, next?.ToString()), PlatformJson.Options);
    }

    private static LabelBatchItem Failed(int index, PlatformProblem problem, string? detail)
    {
        var details = problem.ToProblemDetails(detail);
        details.Extensions["code"] = problem.Code;
        return new LabelBatchItem(index, Status: problem.Status, Problem: details);
    }

    private static ProblemHttpResult Refuse(CorridorCounters counters, PlatformProblem problem, string? detail)
    {
        counters.Record(LabelGovernance.Corridor, CorridorOutcome.Refused, problem.Code.ToUpperInvariant());
        return problem.ToResult(detail);
    }
}
