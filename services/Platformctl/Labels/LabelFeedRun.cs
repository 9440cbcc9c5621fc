using System.Diagnostics;
using System.Globalization;
using Platformctl.Delivery;

namespace Platformctl.Labels;

/// <summary>What one <c>platformctl labels feed</c> does: which labels, where they go.</summary>
public sealed record FeedRequest(string PlatformRunId, IReadOnlyList<string> Files, FeedOptions Options);

/// <summary>Reads the producer's labels for a run, posts them to cm as EXTERNAL chargebacks, shows progress and a summary.</summary>
public sealed class LabelFeedRun(TextWriter stdout, TextWriter stderr, bool interactive)
{
    public const int FailureExitCode = 1;

    public async Task<int> RunAsync(FeedRequest request, IReadOnlyList<EncodedLabel> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labels);
        var options = request.Options;
        await stdout.WriteLineAsync(Invariant($"platform_run_id {request.PlatformRunId}: {labels.Count} labels from {request.Files.Count} file(s) to {options.CmUrl}"));
        var counters = new FeedCounters(labels.Count);
        var clock = Stopwatch.StartNew();
        using var http = options.CreateHttpClient();
        var cancelled = false;
        await using (new ProgressTicker(() => Line(counters.Snapshot()), stderr, interactive, TimeSpan.FromSeconds(1)))
        {
            try
            {
                await new LabelFeedSender(http, options, counters).SendAsync(labels, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
            }
        }

        var summary = counters.Snapshot();
        await WriteSummaryAsync(summary, clock.Elapsed, cancelled);
        return summary.Rejected == 0 && summary.Delivery.Clean && !cancelled ? 0 : FailureExitCode;
    }

    public static string Line(FeedSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var percent = snapshot.Total == 0 ? 100 : 100.0 * snapshot.Done / snapshot.Total;
        return Invariant(
            $"labels {snapshot.Done}/{snapshot.Total} ({percent:F0}%)  accepted {snapshot.Accepted}  replayed {snapshot.Replayed}  rejected {snapshot.Rejected}  refused {snapshot.Delivery.Refused}  lost {snapshot.Delivery.Lost}  retries {snapshot.Delivery.Retries}");
    }

    private async Task WriteSummaryAsync(FeedSnapshot summary, TimeSpan duration, bool cancelled)
    {
        await Summary.WriteRowsAsync(stdout, 10, [
            ("labels", Summary.Count(summary.Total)), ("accepted", Summary.Count(summary.Accepted)), ("replayed", Summary.Count(summary.Replayed)),
            ("rejected", Summary.Count(summary.Rejected)), .. summary.Delivery.Rows(), ("duration", Summary.Duration(duration, summary.Done, "labels")),
        ]);
        await Summary.WriteTallyAsync(stdout, "rejected", summary.Rejections);
        await summary.Delivery.WriteTalliesAsync(stdout);
        if (cancelled)
        {
            await stdout.WriteLineAsync("cancelled before every label was sent");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
