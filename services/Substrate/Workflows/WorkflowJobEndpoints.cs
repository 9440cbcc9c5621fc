using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;

namespace Platform.Substrate.Workflows;

/// <summary>The governance fact a job request records before its job starts.</summary>
/// <param name="Details">The fact's details; must serialize to a JSON object.</param>
public sealed record JobRequestedFact(GovernanceFactType FactType, string PlatformRunId, object Details);

/// <summary>The HTTP side of workflow jobs shared by the job endpoints of every service.</summary>
public static class WorkflowJobEndpoints
{
    /// <summary>
    /// Records the REQUESTED fact (deduplicated on the job id) and then starts the job, answering 202 with the job's
    /// location. REQUESTED comes before the start: a crash between the two leaves a fact and no job, and the repeated
    /// request re-emits the same fact (same id) and starts the job.
    /// </summary>
    public static async Task<JsonHttpResult<WorkflowJobStatus<TProgress, TResult>>> RecordAndStartAsync<TRequest, TProgress, TResult>(
        this IWorkflowJobs<TRequest, TProgress, TResult> jobs,
        HttpContext http,
        TRequest request,
        string jobId,
        JobRequestedFact requested,
        GovernanceFactEmitter facts,
        PlatformRuntime runtime,
        TimeProvider time,
        CancellationToken cancellationToken)
        where TProgress : class
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(time);

        await facts.EmitAsync(
            GovernanceFact.Create(
                requested.FactType,
                GovernanceActor.ForCaller(http.GetActorContext(), runtime),
                new GovernancePins(requested.PlatformRunId),
                runtime.ProvenanceFor(runConfigDigest: null),
                dedupeDetail: jobId,
                requested.Details,
                time.GetUtcNow()),
            cancellationToken);
        await jobs.StartAsync(request, cancellationToken);
        http.Response.Headers.Location = $"/v1/jobs/{jobId}";
        return TypedResults.Json(new WorkflowJobStatus<TProgress, TResult>(jobId, "PENDING", null, null, null), PlatformJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>GET /v1/jobs/{job_id}</c>: the job, or 404 when no job has this id.</summary>
    public static async Task<Results<JsonHttpResult<WorkflowJobStatus<TProgress, TResult>>, ProblemHttpResult>> GetJobAsync<TRequest, TProgress, TResult>(
        this IWorkflowJobs<TRequest, TProgress, TResult> jobs, string jobId, CancellationToken cancellationToken)
        where TProgress : class
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return await jobs.GetAsync(jobId, cancellationToken) is { } job
            ? TypedResults.Json(job, PlatformJson.Options)
            : PlatformProblems.NotFound.ToResult("No job has this id.");
    }
}
