using System.Diagnostics;
using Platformctl.Delivery;
using Platformctl.Produce.Generation;
using Platformctl.Produce.Sending;

namespace Platformctl.Produce;

/// <summary>What one <c>platformctl produce</c> does: which scenario, how much of it, and where it goes.</summary>
public sealed record ProduceRequest(
    ScenarioManifest Manifest,
    string PlatformRunId,
    long Events,
    int BatchSize,
    string LabelsPath,
    string? DryRunOutPath,
    SenderOptions? Sender);

/// <summary>
/// Generates the scenario's first flows, sends them to IG (or writes them, in a dry run), writes the labels aside and
/// prints a summary. An odd event count is rounded up: a flow's anchor and transaction always travel together, in
/// the same batch.
/// </summary>
public sealed class ProduceRun(TextWriter stdout, TextWriter stderr, bool interactive)
{
    public const int FailureExitCode = 1;

    public async Task<int> RunAsync(ProduceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var traffic = new ScenarioTraffic(request.Manifest, request.PlatformRunId);
        var stats = new GenerationStats();
        var flows = stats.Take(traffic, (request.Events + 1) / 2);
        var clock = Stopwatch.StartNew();
        await WriteHeaderAsync(request, traffic);
        try
        {
            if (request.DryRunOutPath is { } outPath)
            {
                await WriteEnvelopesAsync(outPath, flows, cancellationToken);
                await stdout.WriteLineAsync(Invariant($"dry run: wrote {2 * stats.Flows} envelopes to {outPath} in {clock.Elapsed.TotalSeconds:F1} s"));
                return 0;
            }

            return await SendAsync(request, request.Sender ?? throw new ArgumentException("A run that is not a dry run needs sender options.", nameof(request)), flows, clock, cancellationToken);
        }
        finally
        {
            // Labels are written even when a run stops early: they describe exactly the flows that were generated.
            await stats.WriteLabelsAsync(request.LabelsPath, CancellationToken.None);
            await WriteGenerationAsync(stats, request.LabelsPath);
        }
    }

    private async Task<int> SendAsync(ProduceRequest request, SenderOptions options, IEnumerable<GeneratedFlow> flows, Stopwatch clock, CancellationToken cancellationToken)
    {
        var counters = new ProduceCounters();
        using var http = options.CreateHttpClient();
        var sender = new IgBatchSender(http, options, counters);
        var flowsPerBatch = Math.Max(1, request.BatchSize / 2);
        var batches = flows.Chunk(flowsPerBatch).Select(chunk => (IReadOnlyList<EncodedEnvelope>)chunk.SelectMany(Encode).ToList());
        var cancelled = false;
        await using (new ProgressTicker(ProgressLine(counters), stderr, interactive, TimeSpan.FromSeconds(1)))
        {
            try
            {
                await sender.SendAsync(batches, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
            }
        }

        var summary = counters.Snapshot();
        await WriteSummaryAsync(summary, clock.Elapsed, cancelled);
        return summary.Delivery.Clean && !cancelled ? 0 : FailureExitCode;
    }

    private static IEnumerable<EncodedEnvelope> Encode(GeneratedFlow flow)
    {
        yield return new EncodedEnvelope(flow.Anchor.EventId, flow.Anchor.ToCanonicalJson());
        yield return new EncodedEnvelope(flow.Transaction.EventId, flow.Transaction.ToCanonicalJson());
    }

    private static async Task WriteEnvelopesAsync(string path, IEnumerable<GeneratedFlow> flows, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        foreach (var envelope in flows.SelectMany(Encode))
        {
            await file.WriteAsync(envelope.Json, cancellationToken);
            file.WriteByte((byte)'\n');
        }
    }

    private async Task WriteHeaderAsync(ProduceRequest request, ScenarioTraffic traffic)
    {
        var manifest = request.Manifest;
        await stdout.WriteLineAsync(Invariant($"scenario {manifest.ScenarioId}  seed {manifest.Seed}  generator {manifest.GeneratorVersion}"));
        await stdout.WriteLineAsync($"platform_run_id {request.PlatformRunId}  scenario_run_id {traffic.ScenarioRunId}");
        await stdout.WriteLineAsync($"manifest_fingerprint {manifest.ManifestFingerprint()}");
    }

    private async Task WriteGenerationAsync(GenerationStats stats, string labelsPath)
    {
        var fraud = string.Join(", ", stats.FraudByCampaign.Select(c => Invariant($"{c.Key} {c.Value}")));
        var share = stats.Flows == 0 ? 0 : 100.0 * stats.FraudTransactions / stats.Flows;
        await stdout.WriteLineAsync(Invariant($"transactions {stats.Flows}, fraudulent {stats.FraudTransactions} ({share:F1}%){(fraud.Length > 0 ? ": " + fraud : "")}"));
        var byValue = string.Join(", ", stats.Labels.GroupBy(l => l.Value).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Invariant($"{g.Key} {g.Count()}")));
        await stdout.WriteLineAsync(Invariant($"labels {stats.Labels.Count}{(byValue.Length > 0 ? " (" + byValue + ")" : "")} written to {labelsPath}"));
    }

    /// <summary>The progress line, with the send rate since the previous line.</summary>
    public static Func<string> ProgressLine(ProduceCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var clock = Stopwatch.StartNew();
        var (lastSent, lastAt) = (0L, TimeSpan.Zero);
        return () =>
        {
            var snapshot = counters.Snapshot();
            var now = clock.Elapsed;
            var sent = snapshot.Delivery.Sent;
            var rate = (sent - lastSent) / Math.Max((now - lastAt).TotalSeconds, 0.001);
            (lastSent, lastAt) = (sent, now);
            return Invariant(
                $"sent {sent}  admitted {snapshot.Admitted}  duplicate {snapshot.Duplicate}  quarantined {snapshot.Quarantined}  refused {snapshot.Delivery.Refused}  lost {snapshot.Delivery.Lost}  {rate:F0} events/s");
        };
    }

    private async Task WriteSummaryAsync(ProduceSnapshot summary, TimeSpan duration, bool cancelled)
    {
        List<(string Name, string Value)> rows =
        [
            ("sent", Summary.Count(summary.Delivery.Sent)),
            ("admitted", Summary.Count(summary.Admitted)),
            ("duplicate", Summary.Count(summary.Duplicate)),
            ("quarantined", Summary.Count(summary.Quarantined)),
            .. summary.Delivery.Rows(),
            ("duration", Summary.Duration(duration, summary.Delivery.Sent, "events")),
        ];
        if (summary.SampleReceiptId is { } receiptId)
        {
            rows.Add(("sample receipt", receiptId));
        }

        await Summary.WriteRowsAsync(stdout, 12, rows);
        await Summary.WriteTallyAsync(stdout, "quarantine reasons", summary.QuarantineReasons);
        await summary.Delivery.WriteTalliesAsync(stdout);
        if (cancelled)
        {
            await stdout.WriteLineAsync("cancelled before every event was sent");
        }
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
