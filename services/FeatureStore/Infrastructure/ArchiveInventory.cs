using System.Collections.Concurrent;
using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Infrastructure;

/// <summary>What one listing of a run's stream shows: its segments and the record names still in the spool.</summary>
public sealed record ArchiveListing(IReadOnlyList<SegmentSpan> Segments, IReadOnlyList<string> SpoolNames);

/// <summary>One stream of a run's archive, counted: distinct records in segments and spool, and its first and last name.</summary>
public sealed record ArchiveStreamSummary(string Stream, int Segments, int Spooled, long Records, string? FirstRecord, string? LastRecord);

/// <summary>Lists and counts a run's archive: the snapshot freezes what a listing shows; operators ask what is there.</summary>
public sealed class ArchiveInventory(IObjectStore objects)
{
    /// <summary>Every record name there is: a summary counts the whole stream.</summary>
    private static readonly ReplayRange Everything = new(
        string.Empty, ReplayRange.ArchiveKey, "00000000T000000000000Z_" + new string('0', 32), "99991231T235959999999Z_" + new string('f', 32));

    /// <summary>Keys only, nothing read; keys of other shapes under the stream are not the archive's and are left out.</summary>
    public async Task<ArchiveListing> ListAsync(string platformRunId, EventStream stream, CancellationToken cancellationToken)
    {
        var prefix = ArchiveKeys.StreamPrefix(platformRunId, stream);
        var spoolPrefix = ArchiveKeys.SpoolPrefix(platformRunId, stream);
        var segments = new List<SegmentSpan>();
        var spooled = new List<string>();
        foreach (var key in await objects.ListKeysAsync(prefix, cancellationToken))
        {
            if (ArchiveKeys.SpoolRecordName(key, spoolPrefix) is { } name)
            {
                spooled.Add(name);
            }
            else if (ArchiveKeys.TryParseSegment(key, prefix, out var span))
            {
                segments.Add(span);
            }
        }

        return new ArchiveListing(segments, spooled);
    }

    /// <summary>The record names in the spool only: one short listing while writers keep up.</summary>
    public async Task<IReadOnlyList<string>> ListSpoolAsync(string platformRunId, EventStream stream, CancellationToken cancellationToken)
    {
        var spoolPrefix = ArchiveKeys.SpoolPrefix(platformRunId, stream);
        return [.. (await objects.ListKeysAsync(spoolPrefix, cancellationToken)).Select(key => ArchiveKeys.SpoolRecordName(key, spoolPrefix)).OfType<string>()];
    }

    /// <summary>Reads every segment of the stream (verified, as a build reads them): a cost proportional to the stream.</summary>
    public async Task<ArchiveStreamSummary> SummarizeAsync(string platformRunId, EventStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var listing = await ListAsync(platformRunId, stream, cancellationToken);
        var names = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await new ArchiveRangeReader(objects).ReadAsync(listing.Segments, Everything, (name, _) => names.TryAdd(name, 0), cancellationToken);
        foreach (var name in listing.SpoolNames)
        {
            names.TryAdd(name, 0);
        }

        var ordered = names.Keys.Order(StringComparer.Ordinal).ToList();
        return new ArchiveStreamSummary(stream.StreamName, listing.Segments.Count, listing.SpoolNames.Count, ordered.Count, ordered.FirstOrDefault(), ordered.LastOrDefault());
    }
}
