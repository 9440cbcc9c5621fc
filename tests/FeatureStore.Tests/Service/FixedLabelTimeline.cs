using System.Collections.Concurrent;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;

namespace FeatureStore.Tests.Service;

/// <summary>A label timeline the test fills: labels per run.</summary>
internal sealed class FixedLabelTimeline : ILabelTimeline
{
    public ConcurrentDictionary<string, IReadOnlyList<LabelObservation>> Runs { get; } = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<LabelObservation>> ReadRunAsync(string platformRunId, CancellationToken cancellationToken) =>
        Task.FromResult(Runs.GetValueOrDefault(platformRunId) ?? []);
}
