using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace FeatureStore.Endpoints;

/// <summary>
/// <c>GET /v1/archive/{platform_run_id}/summary</c> (operator role): per archived stream, the distinct records in
/// segments and spool, the segments, what waits in the spool, and the first and last record name; plus the run's dead
/// letters. It reads every segment of the run (verified, as a build does), so it answers "has the archive caught up
/// with what IG admitted?" before a build, not a dashboard to poll.
/// </summary>
public static class ArchiveApi
{
    public static IEndpointRouteBuilder MapArchiveApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/archive/{platform_run_id}/summary", GetSummaryAsync).RequireAuthorization(WriterBoundaries.Operator);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<ArchiveSummary>, ProblemHttpResult>> GetSummaryAsync(
        [FromRoute(Name = "platform_run_id")] string platformRunId, ArchiveInventory inventory, IObjectStore objects, CancellationToken cancellationToken)
    {
        if (!PlatformRunId.IsValid(platformRunId))
        {
            return PlatformProblems.MalformedPlatformRunId();
        }

        var streams = new List<ArchiveStreamSummary>();
        foreach (var stream in ArchiveConsumers.Archived)
        {
            streams.Add(await inventory.SummarizeAsync(platformRunId, stream, cancellationToken));
        }

        var deadLetters = 0;
        foreach (var stream in ArchiveConsumers.Archived)
        {
            deadLetters += (await objects.ListKeysAsync(ArchiveKeys.DeadLetterPrefix(platformRunId, stream), cancellationToken)).Count;
        }

        return TypedResults.Json(new ArchiveSummary(platformRunId, streams, deadLetters), PlatformJson.Options);
    }

    private sealed record ArchiveSummary(string PlatformRunId, IReadOnlyList<ArchiveStreamSummary> Streams, int DeadLetters);
}
