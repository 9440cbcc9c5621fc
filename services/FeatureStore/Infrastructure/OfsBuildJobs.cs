using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Workflows;
using Platform.Substrate.Workflows;

namespace FeatureStore.Infrastructure;

/// <summary>The OFS build jobs: one <see cref="OfsBuildWorkflow"/> instance per build id.</summary>
public interface IOfsBuildJobs : IWorkflowJobs<OfsBuildRequest, OfsBuildProgress, OfsBuildResult>;

/// <summary>The build jobs on the Dapr workflow runtime.</summary>
public sealed class WorkflowOfsBuildJobs(DaprWorkflowClient workflows)
    : DaprWorkflowJobs<OfsBuildRequest, OfsBuildProgress, OfsBuildResult>(workflows, nameof(OfsBuildWorkflow), request => request.BuildId()), IOfsBuildJobs;
