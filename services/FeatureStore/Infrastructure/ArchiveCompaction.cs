using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Infrastructure;

/// <summary>
/// Moves spooled records into segments: writes the segments (write-once), then deletes the spool objects they now
/// hold. Between the two steps a record is in both places, which readers tolerate (one copy per name); a failure
/// before the segment write leaves the spool as it was. Used by the writer's <see cref="ArchiveCompactor"/> and by a
/// build's snapshot for spool records no live writer will compact.
/// </summary>
public static class ArchiveCompaction
{
    private const int DeleteConcurrency = 8;

    public static async Task<IReadOnlyList<EncodedSegment>> CompactAsync(
        IObjectStore objects, string platformRunId, EventStream stream, IReadOnlyCollection<NamedRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var segments = ArchiveSegments.Encode(platformRunId, stream, records);
        foreach (var segment in segments)
        {
            await objects.CreateIfAbsentAsync(segment.Key, segment.Content, "application/gzip", cancellationToken);
        }

        await Parallel.ForEachAsync(
            records.Select(r => ArchiveKeys.Spool(platformRunId, stream, r.Name)).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = DeleteConcurrency, CancellationToken = cancellationToken },
            async (key, ct) => await objects.DeleteAsync(key, ct));
        return segments;
    }
}
