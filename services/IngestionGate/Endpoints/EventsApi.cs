using System.Globalization;
using System.Text.Json;
using IngestionGate.Domain;
using IngestionGate.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Telemetry;

namespace IngestionGate.Endpoints;

/// <summary>IG's answer for one envelope that was decided: the receipt's headline (the full receipt is at /v1/receipts/{receipt_id}).</summary>
public sealed record ReceiptSummary(ReceiptDecision Decision, string ReceiptId, string? EventId, IReadOnlyList<string> ReasonCodes, EbRef? EbRef)
{
    public static ReceiptSummary Of(Receipt receipt) =>
        new(receipt.Decision, receipt.ReceiptId, receipt.EventId, receipt.ReasonCodes, receipt.EbRef);
}

/// <summary>
/// One item of a batch answer, at its <see cref="Index"/> in the request: either decided (decision, receipt_id,
/// reason_codes, eb_ref) or refused with an HTTP <see cref="Status"/> and its problem (403, 409, 503...).
/// </summary>
public sealed record BatchItemResult(
    int Index,
    string? EventId,
    ReceiptDecision? Decision = null,
    string? ReceiptId = null,
    IReadOnlyList<string>? ReasonCodes = null,
    EbRef? EbRef = null,
    int? Status = null,
    ProblemDetails? Problem = null);

public sealed record BatchResponse(IReadOnlyList<BatchItemResult> Results);

/// <summary>
/// <c>POST /v1/events</c> and <c>POST /v1/events:batch</c>. Checks in the contract's order: authentication
/// (fallback policy) and a producer role (IngestAny) → media type (415) and size (413) → JSON (400) → the producer's
/// class (403) → expected policy_rev (<c>X-Policy-Rev</c> = the content_digest, 409) → rate (429) → admission.
/// Request errors write nothing; a bad event is a QUARANTINE receipt (200).
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapGroup("/v1").RequireAuthorization(WriterBoundaries.IngestAny);
        events.MapPost("/events", PostEventAsync);
        events.MapPost("/events:batch", PostBatchAsync);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<ReceiptSummary>, ProblemHttpResult>> PostEventAsync(
        HttpContext http, AdmissionEvaluator evaluator, AdmissionBatcher batcher, IgContext context, ProducerRateLimiter rateLimiter,
        CorridorCounters counters, IOptions<IngestionGateOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = http.GetActorContext();
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxEventBytes, cancellationToken);
        var outcome = evaluator.Evaluate(body, caller);
        switch (outcome)
        {
            case Malformed malformed:
                return Refuse(http, counters, PlatformProblems.BadRequest, malformed.Detail);
            case Forbidden forbidden:
                return Refuse(http, counters, PlatformProblems.Forbidden, $"The caller may not produce events of class '{forbidden.EventClass}'.");
        }

        if (ExpectedPolicyRev.Mismatch(http.Request, context.PolicyRev) is { } mismatch)
        {
            return Refuse(http, counters, PlatformProblems.PolicyRevMismatch, mismatch);
        }

        if (!rateLimiter.TryAcquire(caller.ActorId, 1, out var retryAfter))
        {
            return Refuse(http, counters, PlatformProblems.RateLimited, "Too many events from this caller.", retryAfter);
        }

        var result = (await batcher.SubmitAsync([new AdmissionWork(outcome, time.GetUtcNow())], cancellationToken))[0];
        return result.Receipt is { } receipt
            ? TypedResults.Json(ReceiptSummary.Of(receipt), PlatformJson.Options)
            : Problem(http, result.Problem!, result.Detail);
    }

    private static async Task<Results<JsonHttpResult<BatchResponse>, ProblemHttpResult>> PostBatchAsync(
        HttpContext http, AdmissionEvaluator evaluator, AdmissionBatcher batcher, IgContext context, ProducerRateLimiter rateLimiter,
        CorridorCounters counters, IOptions<IngestionGateOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = http.GetActorContext();
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxBatchBytes, cancellationToken);
        if (!JsonBody.TryParse(body, out var document, out var error))
        {
            return Refuse(http, counters, PlatformProblems.BadRequest, error);
        }

        BatchItemResult?[] results;
        var works = new List<(int Index, string? EventId, AdmissionWork Work)>();
        using (document)
        {
            var items = document.RootElement;
            if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
            {
                return Refuse(http, counters, PlatformProblems.BadRequest, "The body must be a JSON array of 1 to 500 envelopes.");
            }

            if (items.GetArrayLength() > IngestionGateOptions.MaxBatchItems)
            {
                return Refuse(http, counters, PlatformProblems.PayloadTooLarge, $"A batch carries at most {IngestionGateOptions.MaxBatchItems} envelopes.");
            }

            if (ExpectedPolicyRev.Mismatch(http.Request, context.PolicyRev) is { } mismatch)
            {
                return Refuse(http, counters, PlatformProblems.PolicyRevMismatch, mismatch);
            }

            if (!rateLimiter.TryAcquire(caller.ActorId, items.GetArrayLength(), out var retryAfter))
            {
                return Refuse(http, counters, PlatformProblems.RateLimited, "Too many events from this caller.", retryAfter);
            }

            results = new BatchItemResult?[items.GetArrayLength()];
            var receivedAt = time.GetUtcNow();
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                var eventId = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("event_id", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null;
                switch (evaluator.Evaluate(item, caller))
                {
                    case Forbidden forbidden:
                        counters.Record(IgGovernance.Corridor, CorridorOutcome.Refused, PlatformProblems.Forbidden.Code.ToUpperInvariant());
                        results[index] = Refused(index, eventId, PlatformProblems.Forbidden, $"The caller may not produce events of class '{forbidden.EventClass}'.");
                        break;
                    case var outcome:
                        works.Add((index, eventId, new AdmissionWork(outcome, receivedAt)));
                        break;
                }

                index++;
            }
        }

        var decided = await batcher.SubmitAsync([.. works.Select(w => w.Work)], cancellationToken);
        for (var i = 0; i < works.Count; i++)
        {
            var (index, eventId, _) = works[i];
            results[index] = decided[i].Receipt is { } receipt
                ? new BatchItemResult(index, receipt.EventId ?? eventId, receipt.Decision, receipt.ReceiptId, receipt.ReasonCodes, receipt.EbRef)
                : Refused(index, eventId, decided[i].Problem!, decided[i].Detail);
        }

        return TypedResults.Json(new BatchResponse([.. results.Select(r => r!)]), PlatformJson.Options);
    }

    private static BatchItemResult Refused(int index, string? eventId, PlatformProblem problem, string? detail)
    {
        var details = problem.ToProblemDetails(detail);
        details.Extensions["code"] = problem.Code;
        return new BatchItemResult(index, eventId, Status: problem.Status, Problem: details);
    }

    private static ProblemHttpResult Refuse(HttpContext http, CorridorCounters counters, PlatformProblem problem, string? detail, TimeSpan? retryAfter = null)
    {
        counters.Record(IgGovernance.Corridor, CorridorOutcome.Refused, problem.Code.ToUpperInvariant());
        return Problem(http, problem, detail, retryAfter);
    }

    private static ProblemHttpResult Problem(HttpContext http, PlatformProblem problem, string? detail, TimeSpan? retryAfter = null)
    {
        if (IgProblems.Retryable(problem))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return problem.ToResult(detail);
    }
}
