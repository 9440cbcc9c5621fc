using IngestionGate.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace IngestionGate.Endpoints;

/// <summary>
/// <c>GET /v1/runs/{platform_run_id}/summary</c> (Operator policy): the run's receipts counted by decision, read back
/// from the receipts IG stored (<see cref="RunSummaries"/>). It reads every receipt object of the run, so it is an
/// operator's check after a run, not a dashboard to poll.
/// </summary>
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/runs/{platform_run_id}/summary", GetSummaryAsync).RequireAuthorization(WriterBoundaries.Operator);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<RunSummary>, ProblemHttpResult>> GetSummaryAsync(
        [FromRoute(Name = "platform_run_id")] string platformRunId, RunSummaries summaries, CancellationToken cancellationToken) =>
        PlatformRunId.IsValid(platformRunId)
            ? TypedResults.Json(await summaries.ReadAsync(platformRunId, cancellationToken), PlatformJson.Options)
            : PlatformProblems.MalformedPlatformRunId();
}
