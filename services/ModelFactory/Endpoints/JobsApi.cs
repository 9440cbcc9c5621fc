using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Workflows;
using JobStatus = Platform.Substrate.Workflows.WorkflowJobStatus<ModelFactory.Workflows.MfTrainProgress, ModelFactory.Workflows.MfTrainResult>;

namespace ModelFactory.Endpoints;

/// <summary>
/// The MF job endpoints (operator role). <c>POST /v1/jobs/mf-trains</c> refuses any request that is not fully pinned
/// before doing anything (400 with every problem), and one whose DatasetManifests do not verify in the object store
/// (422), else records MF_TRAIN_REQUESTED and starts the job under the
/// request's job id: the same request again answers the same job. <c>GET /v1/jobs/{job_id}</c> reports a job.
/// </summary>
public static class JobsApi
{
    public static readonly PlatformProblem TrainRequestRefused = new("mf_train_request_refused", StatusCodes.Status400BadRequest, "The train request is not fully pinned.");

    public static readonly PlatformProblem TrainInputsRefused = new("mf_train_inputs_refused", StatusCodes.Status422UnprocessableEntity, "A DatasetManifest the request names does not verify.");

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup("/v1/jobs").RequireAuthorization(WriterBoundaries.Operator);
        jobs.MapPost("/mf-trains", PostTrainAsync);
        jobs.MapGet("/{job_id}", GetJobAsync);
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<JobStatus>, ProblemHttpResult>> PostTrainAsync(
        HttpContext http, IMfTrainJobs jobs, IObjectStore store, GovernanceFactEmitter facts, PlatformRuntime runtime, TimeProvider time, CancellationToken cancellationToken)
    {
        MfTrainRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<MfTrainRequest>(http.Request.Body, PlatformJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return PlatformProblems.BadRequest.ToResult("The body is not an MF train request.");
        }

        var problems = MfTrainRequestValidator.Validate(request);
        if (problems.Count > 0)
        {
            return TrainRequestRefused.ToResult(extensions: [new("problems", problems)]);
        }

        var jobId = request!.JobId();
        if (await jobs.GetAsync(jobId, cancellationToken) is { } existing)
        {
            return TypedResults.Json(existing, PlatformJson.Options);
        }

        // The named inputs must exist and verify before anything is recorded: a refusal leaves no fact and no job.
        var check = await new ManifestVerifier(store).VerifyAsync(request, cancellationToken);
        if (check.Problem is not null)
        {
            return TrainInputsRefused.ToResult(check.Problem);
        }

        var requested = new JobRequestedFact(GovernanceFactType.MfTrainRequested, request.PlatformRunId, new { job_id = jobId, request_digest = request.RequestDigest(), request });
        return await jobs.RecordAndStartAsync(http, request, jobId, requested, facts, runtime, time, cancellationToken);
    }

    private static Task<Results<JsonHttpResult<JobStatus>, ProblemHttpResult>> GetJobAsync(
        [FromRoute(Name = "job_id")] string jobId, IMfTrainJobs jobs, CancellationToken cancellationToken) =>
        jobs.GetJobAsync(jobId, cancellationToken);
}
