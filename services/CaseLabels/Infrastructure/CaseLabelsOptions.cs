using Platform.Substrate.Errors;

namespace CaseLabels.Infrastructure;

/// <summary>
/// cm's tunables (configuration section <c>CaseLabels</c>). None changes what the Label Store decides about a label;
/// they bound request sizes, contention retries and read pages. Validated at start-up: a bad value refuses to start.
/// </summary>
public sealed class CaseLabelsOptions
{
    public const string SectionName = "CaseLabels";

    /// <summary><c>POST /v1/labels:batch</c> takes 1 to this many assertions.</summary>
    public const int MaxBatchItems = 500;

    /// <summary>Largest body of <c>POST /v1/labels</c> (one assertion).</summary>
    public long MaxLabelBytes { get; set; } = 16 * 1024;

    /// <summary>Largest body of <c>POST /v1/labels:batch</c>.</summary>
    public long MaxBatchBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Assertions of one batch written at the same time.</summary>
    public int BatchConcurrency { get; set; } = 8;

    /// <summary>
    /// How often an append that lost a race (another writer moved the subject's timeline or the run index) is
    /// re-decided before the caller gets a retryable 503. Every attempt re-reads, so a lost race never writes twice.
    /// </summary>
    public int MaxAppendAttempts { get; set; } = 40;

    /// <summary>Upper bound of the jittered pause between append attempts.</summary>
    public TimeSpan AppendRetryDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Most labels one page of <c>GET /v1/labels?platform_run_id=…</c> returns.</summary>
    public int MaxReadPage { get; set; } = 1000;

    /// <summary>
    /// App-ids that may read labels through Dapr service invocation (<c>dapr-caller-app-id</c>, with the app API token
    /// when one is configured). OFS reads the timeline for its dataset builds.
    /// </summary>
    public IList<string> InternalReaders { get; } = ["ofs"];

    public void Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string name, string rule)
        {
            if (!ok)
            {
                problems.Add($"{SectionName}:{name} {rule}");
            }
        }

        Require(MaxLabelBytes is >= 1024 and <= 1024 * 1024, nameof(MaxLabelBytes), "must be between 1 KiB and 1 MiB");
        Require(MaxBatchBytes >= MaxLabelBytes && MaxBatchBytes <= 32 * 1024 * 1024, nameof(MaxBatchBytes), "must be at least MaxLabelBytes and at most 32 MiB");
        Require(BatchConcurrency is >= 1 and <= 64, nameof(BatchConcurrency), "must be between 1 and 64");
        Require(MaxAppendAttempts is >= 1 and <= 1000, nameof(MaxAppendAttempts), "must be between 1 and 1000");
        Require(AppendRetryDelay >= TimeSpan.Zero && AppendRetryDelay <= TimeSpan.FromSeconds(1), nameof(AppendRetryDelay), "must be between 0 and 1s");
        Require(MaxReadPage is >= 1 and <= 10_000, nameof(MaxReadPage), "must be between 1 and 10000");
        Require(InternalReaders.All(id => !string.IsNullOrWhiteSpace(id)), nameof(InternalReaders), "must name app-ids");
        if (problems.Count > 0)
        {
            throw new PlatformStartupException("Invalid cm configuration: " + string.Join("; ", problems) + ".");
        }
    }
}
