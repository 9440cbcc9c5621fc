using Dapr.Workflow;
using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using ModelFactory.Workflows;
using Platform.Substrate.BuildingBlocks;

namespace ModelFactory.Activities;

/// <summary>The job's first step: <see cref="ManifestVerifier"/> over the stored DatasetManifests the request names.</summary>
public sealed class VerifyManifestsActivity(IObjectStore store) : WorkflowActivity<MfTrainRequest, ManifestCheck>
{
    public override Task<ManifestCheck> RunAsync(WorkflowActivityContext context, MfTrainRequest input) =>
        new ManifestVerifier(store).VerifyAsync(input, CancellationToken.None);
}
