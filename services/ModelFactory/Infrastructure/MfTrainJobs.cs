using Dapr.Workflow;
using ModelFactory.Domain;
using ModelFactory.Workflows;
using Platform.Substrate.Workflows;

namespace ModelFactory.Infrastructure;

/// <summary>The MF training jobs: one <see cref="MfTrainWorkflow"/> instance per job id.</summary>
public interface IMfTrainJobs : IWorkflowJobs<MfTrainRequest, MfTrainProgress, MfTrainResult>;

/// <summary>The training jobs on the Dapr workflow runtime.</summary>
public sealed class WorkflowMfTrainJobs(DaprWorkflowClient workflows)
    : DaprWorkflowJobs<MfTrainRequest, MfTrainProgress, MfTrainResult>(workflows, nameof(MfTrainWorkflow), request => request.JobId()), IMfTrainJobs;
