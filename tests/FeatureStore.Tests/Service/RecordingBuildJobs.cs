using System.Collections.Concurrent;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Platform.Substrate.Workflows;

namespace FeatureStore.Tests.Service;

/// <summary>Build jobs that only record what OFS starts; a started job reports RUNNING.</summary>
internal sealed class RecordingBuildJobs : IOfsBuildJobs
{
    public ConcurrentDictionary<string, OfsBuildRequest> Started { get; } = new(StringComparer.Ordinal);

    public Task<WorkflowJobStatus<OfsBuildProgress, OfsBuildResult>?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        Task.FromResult(Started.ContainsKey(jobId) ? new WorkflowJobStatus<OfsBuildProgress, OfsBuildResult>(jobId, "RUNNING", null, null, null) : null);

    public Task StartAsync(OfsBuildRequest request, CancellationToken cancellationToken)
    {
        Assert.True(Started.TryAdd(request.BuildId(), request), "a build was started twice");
        return Task.CompletedTask;
    }
}
