using System.Text.Json;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using Platform.Substrate.Workflows;
using JobStatus = Platform.Substrate.Workflows.WorkflowJobStatus<FeatureStore.Workflows.OfsBuildProgress, FeatureStore.Workflows.OfsBuildResult>;

namespace FeatureStore.Endpoints;

/// <summary>
/// The OFS job endpoints (operator role). <c>POST /v1/jobs/ofs-builds</c> refuses any request that is not fully
/// pinned before doing anything (400 with every problem), else records OFS_BUILD_REQUESTED and starts the build under
/// the request's build id: the same request again answers the same job. <c>GET /v1/jobs/{job_id}</c> reports a job.
/// </summary>
public static class JobsApi
{
    public static readonly PlatformProblem BuildRequestRefused = new("ofs_build_request_refused", StatusCodes.Status400BadRequest, "The build request is not fully pinned.");

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup("/v1/jobs").RequireAuthorization(WriterBoundaries.Operator);
        jobs.MapPost("/ofs-builds", PostBuildAsync);
        jobs.MapGet("/{job_id}", GetJobAsync);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<JobStatus>, ProblemHttpResult>> PostBuildAsync(
        HttpContext http, IOfsBuildJobs jobs, GovernanceFactEmitter facts, PlatformRuntime runtime, TimeProvider time, CancellationToken cancellationToken)
    {
        OfsBuildRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<OfsBuildRequest>(http.Request.Body, PlatformJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return PlatformProblems.BadRequest.ToResult("The body is not an OFS build request.");
        }

        var problems = OfsBuildRequestValidator.Validate(request, FeatureSetCatalog.All, time.GetUtcNow());
        if (problems.Count > 0)
        {
            return BuildRequestRefused.ToResult(extensions: [new("problems", problems)]);
        }

        var jobId = request!.BuildId();
        if (await jobs.GetAsync(jobId, cancellationToken) is { } existing)
        {
            return TypedResults.Json(existing, PlatformJson.Options);
        }

        var requested = new JobRequestedFact(GovernanceFactType.OfsBuildRequested, request.PlatformRunId, new { build_id = jobId, request_digest = Digests.Of(request), request });
        return await jobs.RecordAndStartAsync(http, request, jobId, requested, facts, runtime, time, cancellationToken);
    }

    private static Task<Results<JsonHttpResult<JobStatus>, ProblemHttpResult>> GetJobAsync(
        [FromRoute(Name = "job_id")] string jobId, IOfsBuildJobs jobs, CancellationToken cancellationToken) =>
        jobs.GetJobAsync(jobId, cancellationToken);
}
