using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Platformctl.Jobs;

/// <summary>The exit codes of every <c>platformctl jobs</c> command.</summary>
public static class JobExitCodes
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Unreachable = 3;
}

/// <summary>
/// Shows a job and, with watch, polls <c>GET /v1/jobs/{id}</c> until it is COMPLETED (exit 0) or FAILED/TERMINATED
/// (exit 1). On a terminal a live progress bar follows the workflow's stage and steps; anywhere else (pipes, logs,
/// tests) one plain line per change. A service that stops answering mid-watch (a restart) is polled a few more times.
/// </summary>
public sealed class JobWatcher(JobsClient client, TextWriter stdout, TextWriter stderr, IAnsiConsole? terminal, TimeSpan interval)
{
    /// <summary>Failed polls in a row tolerated once the job has been seen, before the service counts as unreachable.</summary>
    public const int MissedPollsTolerated = 5;

    /// <summary>Reports <paramref name="jobId"/> once, or until it ends when <paramref name="watch"/>.</summary>
    public async Task<int> RunAsync(string jobId, bool watch, CancellationToken cancellationToken)
    {
        var first = await client.GetAsync(jobId, cancellationToken);
        return first.Job is { } job ? await FollowAsync(job, watch, cancellationToken) : await ReportAsync(first);
    }

    /// <summary>Reports a job already read (e.g. the answer to a submission), following it when <paramref name="watch"/>.</summary>
    public async Task<int> FollowAsync(JobStatus job, bool watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!watch || job.IsTerminal)
        {
            return await FinishAsync(job);
        }

        var (last, failure) = terminal is null ? await WatchPlainAsync(job, cancellationToken) : await WatchLiveAsync(terminal, job, cancellationToken);
        return failure is null ? await FinishAsync(last) : await ReportAsync(failure);
    }

    /// <summary>One line: id, status and, while it runs, the stage and its steps.</summary>
    public static string Describe(JobStatus job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Progress is { } p && !job.IsTerminal
            ? string.Create(CultureInfo.InvariantCulture, $"{job.JobId} {job.Status} {p.Stage} {p.StepsDone}/{p.StepsTotal}")
            : $"{job.JobId} {job.Status}";
    }

    /// <summary>Prints why a call failed on stderr and maps it to the exit code.</summary>
    public async Task<int> ReportAsync(JobCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        foreach (var line in call.Lines)
        {
            await stderr.WriteLineAsync(line);
        }

        return call.Outcome == JobCallOutcome.Refused ? JobExitCodes.BadInput : JobExitCodes.Unreachable;
    }

    private async Task<(JobStatus Last, JobCall? Failure)> WatchPlainAsync(JobStatus job, CancellationToken cancellationToken)
    {
        await stdout.WriteLineAsync(Describe(job));
        // The final state is printed once, with its details, when the watch ends.
        return await PollAsync(job, async next => await (next.IsTerminal ? Task.CompletedTask : stdout.WriteLineAsync(Describe(next))), cancellationToken);
    }

    private async Task<(JobStatus Last, JobCall? Failure)> WatchLiveAsync(IAnsiConsole console, JobStatus job, CancellationToken cancellationToken)
    {
        (JobStatus, JobCall?) outcome = (job, null);
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Markup.Escape(Describe(job)));
                Show(bar, job);
                outcome = await PollAsync(
                    job,
                    next =>
                    {
                        Show(bar, next);
                        return Task.CompletedTask;
                    },
                    cancellationToken);
                bar.StopTask();
            });
        return outcome;
    }

    private static void Show(ProgressTask bar, JobStatus job)
    {
        bar.Description = Markup.Escape(Describe(job));
        if (job.Progress is { StepsTotal: > 0 } progress)
        {
            bar.MaxValue = progress.StepsTotal;
            bar.Value = progress.StepsDone;
        }

        if (job.Status == JobStatus.Completed)
        {
            bar.Value = bar.MaxValue;
        }
    }

    /// <summary>Polls until the job ends, calling <paramref name="changed"/> whenever its status or progress moves.</summary>
    private async Task<(JobStatus Last, JobCall? Failure)> PollAsync(JobStatus job, Func<JobStatus, Task> changed, CancellationToken cancellationToken)
    {
        var missed = 0;
        while (!job.IsTerminal)
        {
            await Task.Delay(interval, cancellationToken);
            var call = await client.GetAsync(job.JobId, cancellationToken);
            if (call.Job is { } next)
            {
                missed = 0;
                if (next.Status != job.Status || next.Progress != job.Progress)
                {
                    await changed(next);
                }

                job = next;
            }
            else if (call.Outcome == JobCallOutcome.Refused || ++missed > MissedPollsTolerated)
            {
                return (job, call);
            }
        }

        return (job, null);
    }

    /// <summary>The final state on stdout: status, failure, and the result's top-level fields; the exit code follows the status.</summary>
    private async Task<int> FinishAsync(JobStatus job)
    {
        await stdout.WriteLineAsync(Describe(job));
        if (job.Failure is { } failure)
        {
            await stdout.WriteLineAsync($"  failure: {failure}");
        }

        if (job.Result is { ValueKind: JsonValueKind.Object } result)
        {
            foreach (var field in result.EnumerateObject())
            {
                var value = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : field.Value.GetRawText();
                await stdout.WriteLineAsync($"  {field.Name}: {value}");
            }
        }

        return job.IsTerminal && job.Status != JobStatus.Completed ? JobExitCodes.Failed : JobExitCodes.Completed;
    }
}
