using IngestionGate.Domain;
using Platform.Substrate.BuildingBlocks;

namespace IngestionGate.Infrastructure;

/// <summary>
/// What IG recorded for a run, read back from the receipts it stored (the evidence, not a counter that could drift):
/// the receipt batches first, then only the receipts stored on their own that no batch holds (duplicates,
/// quarantines, backfilled admissions). An admission whose receipt write still lags its commit is not counted yet.
/// </summary>
public sealed class RunSummaries(IObjectStore objects)
{
    private const int ReadConcurrency = 8;

    public async Task<RunSummary> ReadAsync(string platformRunId, CancellationToken cancellationToken)
    {
        var prefix = IgObjectKeys.ReceiptsOfRun(platformRunId);
        var keys = await objects.ListKeysAsync(prefix, cancellationToken);
        var batchPrefix = prefix + "batches/";
        var tally = new RunReceiptTally();

        var batches = keys.Where(k => k.StartsWith(batchPrefix, StringComparison.Ordinal)).ToList();
        foreach (var content in await ReadAllAsync(batches, cancellationToken))
        {
            tally.Add(content);
        }

        var ownObjects = keys
            .Where(k => !k.StartsWith(batchPrefix, StringComparison.Ordinal) && !tally.Contains(Path.GetFileNameWithoutExtension(k)))
            .ToList();
        foreach (var content in await ReadAllAsync(ownObjects, cancellationToken))
        {
            tally.Add(content);
        }

        return new RunSummary(platformRunId, tally.Total, tally.ByDecision(), batches.Count + ownObjects.Count);
    }

    private async Task<IReadOnlyList<byte[]>> ReadAllAsync(List<string> keys, CancellationToken cancellationToken)
    {
        var contents = new byte[]?[keys.Count];
        await Parallel.ForAsync(0, keys.Count, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => contents[i] = await objects.GetAsync(keys[i], ct));
        // A key listed a moment ago is never deleted (receipts are write-once), so a missing one is only a listing race.
        return [.. contents.OfType<byte[]>()];
    }
}

/// <summary>The answer of <c>GET /v1/runs/{platform_run_id}/summary</c>.</summary>
public sealed record RunSummary(string PlatformRunId, int Receipts, IReadOnlyDictionary<string, int> ByDecision, int ObjectsRead);
