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

    /// <summary>How often the archive writer moves what it spooled into segments (<see cref="ArchiveCompactor"/>).</summary>
    public TimeSpan ArchiveCompactionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a build's snapshot waits for live writers to compact the spool records of its range before it
    /// compacts the rest itself (those of a writer that stopped). A few compaction intervals.
    /// </summary>
    public TimeSpan SpoolSettleTime { get; set; } = TimeSpan.FromSeconds(5);

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

        if (ArchiveCompactionInterval < TimeSpan.FromMilliseconds(50) || ArchiveCompactionInterval > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(ArchiveCompactionInterval)} must be 00:00:00.05..00:01:00.");
        }

        if (SpoolSettleTime < TimeSpan.Zero || SpoolSettleTime > TimeSpan.FromMinutes(5))
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(SpoolSettleTime)} must be 00:00:00..00:05:00.");
        }
    }
}
