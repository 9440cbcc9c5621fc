using FeatureStore.Domain;

namespace FeatureStore.Infrastructure;

/// <summary>
/// The label timeline of a run as the Label Store keeps it (append-only, CONTRACTS §10). CM owns the store; how OFS
/// reads it (CM's service invocation API or an export in the object store) is settled with CM's label writer.
/// </summary>
public interface ILabelTimeline
{
    Task<IReadOnlyList<LabelObservation>> ReadRunAsync(string platformRunId, CancellationToken cancellationToken);
}
