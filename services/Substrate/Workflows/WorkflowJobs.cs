using Dapr.Workflow;

namespace Platform.Substrate.Workflows;

/// <summary>A workflow job as <c>GET /v1/jobs/{job_id}</c> reports it.</summary>
public sealed record WorkflowJobStatus<TProgress, TResult>(string JobId, string Status, TProgress? Progress, TResult? Result, string? Failure)
    where TProgress : class
    where TResult : class;

/// <summary>Jobs that each run as one workflow instance whose id is the job id derived from the request.</summary>
public interface IWorkflowJobs<in TRequest, TProgress, TResult>
    where TProgress : class
    where TResult : class
{
    /// <summary>The job, or null when no job has this id.</summary>
    Task<WorkflowJobStatus<TProgress, TResult>?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Starts the job's workflow under the request's job id.</summary>
    Task StartAsync(TRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Workflow jobs on the Dapr workflow runtime: the instance id is the request's job id, so the same request names the
/// same instance; progress is the workflow's custom status and the result its output once completed.
/// </summary>
public class DaprWorkflowJobs<TRequest, TProgress, TResult>(DaprWorkflowClient workflows, string workflowName, Func<TRequest, string> jobIdOf)
    : IWorkflowJobs<TRequest, TProgress, TResult>
    where TRequest : class
    where TProgress : class
    where TResult : class
{
    public async Task<WorkflowJobStatus<TProgress, TResult>?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var state = await workflows.GetWorkflowStateAsync(jobId, getInputsAndOutputs: true, cancellationToken);
        if (state is not { Exists: true })
        {
            return null;
        }

        return new WorkflowJobStatus<TProgress, TResult>(
            jobId,
            state.RuntimeStatus.ToString().ToUpperInvariant(),
            state.ReadCustomStatusAs<TProgress>(),
            state.RuntimeStatus == WorkflowRuntimeStatus.Completed ? state.ReadOutputAs<TResult>() : null,
            state.FailureDetails?.ErrorMessage);
    }

    public Task StartAsync(TRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return workflows.ScheduleNewWorkflowAsync(workflowName, jobIdOf(request), request, startTime: null, cancellationToken);
    }
}
