using Platformctl.Produce.Contracts;
using Platformctl.Produce.Generation;

namespace Platformctl.Produce;

/// <summary>What a run generated: flows, fraud transactions per campaign and the labels kept aside.</summary>
public sealed class GenerationStats
{
    private readonly SortedDictionary<string, long> fraudByCampaign = new(StringComparer.Ordinal);
    private readonly List<LabelRecord> labels = [];

    public long Flows { get; private set; }

    public IReadOnlyDictionary<string, long> FraudByCampaign => fraudByCampaign;

    public IReadOnlyList<LabelRecord> Labels => labels;

    public long FraudTransactions => fraudByCampaign.Values.Sum();

    /// <summary>The first <paramref name="count"/> flows of <paramref name="traffic"/>, recorded as they go by.</summary>
    public IEnumerable<GeneratedFlow> Take(ScenarioTraffic traffic, long count)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        if (count <= 0)
        {
            yield break;
        }

        foreach (var flow in traffic.Flows())
        {
            Flows++;
            if (flow.Truth.IsFraud)
            {
                fraudByCampaign[flow.Truth.CampaignName] = fraudByCampaign.GetValueOrDefault(flow.Truth.CampaignName) + 1;
            }

            if (flow.Label is not null)
            {
                labels.Add(flow.Label);
            }

            yield return flow;
            if (Flows == count)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Writes the labels as NDJSON (canonical JSON per line) in the order a label feed would deliver them: by
    /// observed_time, then event_id.
    /// </summary>
    public async Task WriteLabelsAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        foreach (var label in labels.OrderBy(l => l.ObservedTime).ThenBy(l => l.EventId, StringComparer.Ordinal))
        {
            await file.WriteAsync(label.ToCanonicalJson(), cancellationToken);
            file.WriteByte((byte)'\n');
        }
    }
}
