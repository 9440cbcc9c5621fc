using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Activities;

/// <summary>
/// Freezes one replayed range: the keys of the archive segments that can hold names in [start_offset, end_offset],
/// written once as a list. Records of the range still in the spool are first given
/// <see cref="FeatureStoreOptions.SpoolSettleTime"/> to be compacted by their writer, then compacted here (a writer
/// that stopped leaves them behind). A retry that finds a different list (the range changed under the build) fails:
/// a build reads one fixed set of records or none.
/// </summary>
public sealed class SnapshotArchiveActivity(IObjectStore objects, IOptions<FeatureStoreOptions> options) : WorkflowActivity<SnapshotArchiveInput, ArchiveSnapshot>
{
    private const int SpoolReadConcurrency = 16;
    private static readonly TimeSpan SpoolPoll = TimeSpan.FromMilliseconds(250);

    public override async Task<ArchiveSnapshot> RunAsync(WorkflowActivityContext context, SnapshotArchiveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var range = input.Range;
        var stream = PlatformNames.Streams.Named(range.Stream);
        var inventory = new ArchiveInventory(objects);
        var leftovers = await SettledSpoolAsync(inventory, input.PlatformRunId, stream, range);
        if (leftovers.Count > 0)
        {
            await CompactLeftoversAsync(input.PlatformRunId, stream, leftovers);
        }

        var segments = (await inventory.ListAsync(input.PlatformRunId, stream, CancellationToken.None)).Segments
            .Where(span => span.Overlaps(range.StartOffset, range.EndOffset))
            .Select(span => span.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        var content = Encoding.UTF8.GetBytes(string.Concat(segments.Select(k => k + "\n")));
        var key = OfsBuildKeys.ArchiveSnapshot(input.PlatformRunId, input.BuildId, stream);
        await objects.CreateIfAbsentAsync(key, content, "text/plain", CancellationToken.None);
        return new ArchiveSnapshot(range, segments.Count, key, Digests.Sha256Hex(content));
    }

    /// <summary>
    /// The range's spool records of the first listing that are still spooled once live writers had their chance to
    /// compact them. Records spooled after that listing are not waited for: a writer that keeps writing never leaves
    /// an empty spool, and compacting its fresh records here would only copy what its compactor is about to write.
    /// </summary>
    private async Task<IReadOnlyList<string>> SettledSpoolAsync(ArchiveInventory inventory, string platformRunId, EventStream stream, ReplayRange range)
    {
        var waited = Stopwatch.StartNew();
        HashSet<string>? waiting = null;
        while (true)
        {
            var spooled = (await inventory.ListSpoolAsync(platformRunId, stream, CancellationToken.None))
                .Where(name => string.CompareOrdinal(name, range.StartOffset) >= 0 && string.CompareOrdinal(name, range.EndOffset) <= 0);
            waiting = waiting is null ? [.. spooled] : [.. spooled.Where(waiting.Contains)];
            if (waiting.Count == 0 || waited.Elapsed >= options.Value.SpoolSettleTime)
            {
                return [.. waiting.Order(StringComparer.Ordinal)];
            }

            await Task.Delay(SpoolPoll);
        }
    }

    private async Task CompactLeftoversAsync(string platformRunId, EventStream stream, IReadOnlyList<string> leftovers)
    {
        var records = new ConcurrentBag<NamedRecord>();
        await Parallel.ForEachAsync(leftovers, new ParallelOptions { MaxDegreeOfParallelism = SpoolReadConcurrency }, async (name, ct) =>
        {
            // Gone since the listing: its writer compacted it, and the segment listing finds it.
            if (await objects.GetAsync(ArchiveKeys.Spool(platformRunId, stream, name), ct) is { Length: > 0 } bytes)
            {
                records.Add(new NamedRecord(name, bytes));
            }
        });
        await ArchiveCompaction.CompactAsync(objects, platformRunId, stream, records, CancellationToken.None);
    }
}
