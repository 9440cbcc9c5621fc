using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Infrastructure;

/// <summary>Settings of the <c>FeatureStore</c> configuration section.</summary>
public sealed class FeatureStoreOptions
{
    public const string SectionName = "FeatureStore";

    /// <summary>
    /// Failed archive writes of one record (answered 500, so the Resiliency inbound policy redelivers it) before the
    /// record is parked as a dead letter instead. Below the policy's retry count (8), so parking happens while the
    /// binding is still redelivering, never after it has checkpointed the record.
    /// </summary>
    public int ArchiveAttemptsBeforeParking { get; set; } = 3;

    /// <summary>
    /// The state store dead letters fall back to when the object store refuses them too (a different backing
    /// service), so a record is parked even while the object store is down.
    /// </summary>
    public string DeadLetterFallbackStore { get; set; } = PlatformNames.Components.WorkflowState;

    public void Validate()
    {
        if (ArchiveAttemptsBeforeParking is < 1 or > 8)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(ArchiveAttemptsBeforeParking)} must be 1..8 (the inbound retry policy allows 8 redeliveries).");
        }

        if (string.IsNullOrWhiteSpace(DeadLetterFallbackStore))
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(DeadLetterFallbackStore)} must name a state store component.");
        }
    }
}
