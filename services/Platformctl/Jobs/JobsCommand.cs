using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platformctl.Cli;
using Spectre.Console;

namespace Platformctl.Jobs;

/// <summary>
/// <c>platformctl jobs</c>: requests the learning jobs (an OFS dataset build, an MF training) with every input pinned,
/// and follows a job to its end. Input is checked in the action, not by the parser, so every bad input exits 2.
/// </summary>
public static class JobsCommand
{
    public const string ApiKeyVariable = "PLATFORM_OPERATOR_API_KEY";
    public const string BuildsPath = "v1/jobs/ofs-builds";
    public const string TrainsPath = "v1/jobs/mf-trains";

    /// <summary>Job ids carry their service: ofs builds are <c>ofsb_…</c>, mf trainings <c>mft_…</c>.</summary>
    public const string BuildIdPrefix = "ofsb_";
    public const string TrainIdPrefix = "mft_";

    // local_parity app ports (deploy/local_parity/apps.tsv).
    private const string DefaultOfsUrl = "http://127.0.0.1:5104";
    private const string DefaultMfUrl = "http://127.0.0.1:5105";

    public static Command Create() => new("jobs", "request learning jobs (OFS dataset builds, MF trainings) and follow them")
    {
        new Command("ofs", "the Offline Feature Store's jobs") { Build() },
        new Command("mf", "the Model Factory's jobs") { Train() },
        Status(),
    };

    private static Command Build()
    {
        var common = new CommonOptions("--ofs-url", "ofs's base URL", DefaultOfsUrl);
        var runId = new Option<string?>("--run-id") { Description = "the platform_run_id whose archive is replayed (required)" };
        var ranges = new Option<string[]>("--range")
        {
            Description = "a pinned replay range <stream>=<start_offset>..<end_offset> (archive offsets, inclusive); repeat per stream",
            AllowMultipleArgumentsPerToken = false,
        };
        var windowStart = new Option<string?>("--window-start") { Description = "instead of --range: the replay window's start (RFC 3339 UTC), converted to offsets of the traffic and context streams" };
        var windowEnd = new Option<string?>("--window-end") { Description = "the replay window's end (RFC 3339 UTC, inclusive)" };
        var labelAsof = new Option<string?>("--label-asof") { Description = "label_asof_utc: only labels observed by then count (RFC 3339 UTC, required)" };
        var maturityDays = new Option<string>("--maturity-days") { Description = "days after which an unlabelled transaction counts as negative", DefaultValueFactory = _ => "30" };
        var resolutionRule = new Option<string>("--resolution-rule") { Description = "the label resolution rule", DefaultValueFactory = _ => LabelBasis.FraudPositiveElseMatureNegativeV0 };
        var featureSetId = new Option<string?>("--feature-set-id") { Description = "the feature definition set's id (required)" };
        var featureSetVersion = new Option<string?>("--feature-set-version") { Description = "its version (required)" };
        var definitionDigest = new Option<string?>("--definition-digest") { Description = "its definition digest (required)" };
        var codeRelease = new Option<string?>("--code-release-id") { Description = "the ofs code release: a git SHA or an image digest (required)" };
        var command = new Command("build", "POST /v1/jobs/ofs-builds: build a point-in-time-correct dataset from pinned inputs")
        {
            runId, ranges, windowStart, windowEnd, labelAsof, maturityDays, resolutionRule, featureSetId, featureSetVersion, definitionDigest, codeRelease,
        };
        common.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var basis = ReplaySelectors.Resolve(parse.GetValue(ranges) ?? [], parse.GetValue(windowStart), parse.GetValue(windowEnd), errors);
            var asof = RequiredTime(parse.GetValue(labelAsof), "--label-asof", errors);
            var request = new OfsBuildRequest(
                Required(parse.GetValue(runId), "--run-id", errors),
                basis,
                new LabelBasis(asof, parse.GetValue(resolutionRule)!, Number(parse.GetValue(maturityDays), "--maturity-days", 0, 365, errors)),
                new FeatureDefinitionSetRef(
                    Required(parse.GetValue(featureSetId), "--feature-set-id", errors),
                    Required(parse.GetValue(featureSetVersion), "--feature-set-version", errors),
                    Required(parse.GetValue(definitionDigest), "--definition-digest", errors)),
                Required(parse.GetValue(codeRelease), "--code-release-id", errors));
            var stdout = parse.InvocationConfiguration.Output;
            if (errors.Count == 0)
            {
                foreach (var range in basis)
                {
                    await stdout.WriteLineAsync($"replay_basis {range.Stream} {range.StartOffset}..{range.EndOffset}");
                }
            }

            return await common.SubmitAsync(parse, BuildsPath, request, errors, cancellationToken);
        });
        return command;
    }

    private static Command Train()
    {
        var common = new CommonOptions("--mf-url", "mf's base URL", DefaultMfUrl);
        var runId = new Option<string?>("--run-id") { Description = "the platform_run_id the training belongs to (required)" };
        var manifests = new Option<string[]>("--dataset-manifest") { Description = "a DatasetManifest as <dataset_manifest_id>:<dataset_fingerprint>; repeat for several (required)" };
        var scope = new Option<string?>("--scope") { Description = "the target ScopeKey environment|mode|bundle_slot[|tenant_id] (required)" };
        var bundleVersion = new Option<string?>("--bundle-version") { Description = "the version the bundle is published under (required)" };
        var config = new Option<string?>("--training-config") { Description = "a JSON file with the full training config (default: mf's default config)" };
        var seed = new Option<string?>("--seed") { Description = "overrides the training config's seed" };
        var command = new Command("train", "POST /v1/jobs/mf-trains: train and evaluate a model on pinned DatasetManifests")
        {
            runId, manifests, scope, bundleVersion, config, seed,
        };
        common.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var refs = (parse.GetValue(manifests) ?? []).Select(m => ManifestRef(m, errors)).OfType<DatasetManifestRef>().ToList();
            if (refs.Count == 0 && errors.Count == 0)
            {
                errors.Add("--dataset-manifest is required");
            }

            var training = TrainingConfigFrom(parse.GetValue(config), errors);
            if (parse.GetValue(seed) is { } value)
            {
                training = training with { Seed = Number(value, "--seed", 0, int.MaxValue, errors) };
            }

            var request = new MfTrainRequest(
                MfTrainRequest.Version,
                Required(parse.GetValue(runId), "--run-id", errors),
                refs,
                training,
                Scope(parse.GetValue(scope), errors),
                Required(parse.GetValue(bundleVersion), "--bundle-version", errors));
            return await common.SubmitAsync(parse, TrainsPath, request, errors, cancellationToken);
        });
        return command;
    }

    private static Command Status()
    {
        var common = new CommonOptions("--ofs-url", "ofs's base URL (for ofsb_ jobs)", DefaultOfsUrl);
        var mfUrl = OptionRules.UrlOption("--mf-url", "mf's base URL (for mft_ jobs)", DefaultMfUrl);
        var jobId = new Argument<string?>("job_id") { Description = "the job id a build or train request answered (ofsb_… or mft_…)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "GET /v1/jobs/{job_id}: a job's status; with --watch, follow it until it ends") { jobId, mfUrl };
        common.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var id = Required(parse.GetValue(jobId), "job_id", errors);
            var option = id.StartsWith(BuildIdPrefix, StringComparison.Ordinal) ? common.Url
                : id.StartsWith(TrainIdPrefix, StringComparison.Ordinal) ? mfUrl
                : null;
            if (option is null && id.Length > 0)
            {
                errors.Add($"job_id must start with {BuildIdPrefix} (ofs) or {TrainIdPrefix} (mf)");
            }

            if (await common.ClientAsync(parse, option ?? common.Url, errors) is not { } session)
            {
                return JobExitCodes.BadInput;
            }

            using (session.Http)
            {
                return await session.Watcher.RunAsync(id, parse.GetValue(common.Watch), cancellationToken);
            }
        });
        return command;
    }

    private static int Number(string? text, string name, int min, int max, List<string> errors)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be a whole number between {min} and {max}"));
        return min;
    }

    private static string Required(string? value, string name, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{name} is required");
        }

        return value ?? "";
    }

    private static DateTimeOffset RequiredTime(string? text, string name, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{name} is required");
        }
        else if (!OptionRules.TryParseUtc(text, out var value))
        {
            errors.Add($"{name} must be an RFC 3339 UTC time, e.g. 2026-01-05T00:00:00Z");
        }
        else
        {
            return value;
        }

        return default;
    }

    private static DatasetManifestRef? ManifestRef(string text, List<string> errors)
    {
        var parts = text.Split(':');
        if (parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
        {
            return new DatasetManifestRef(parts[0], parts[1]);
        }

        errors.Add($"--dataset-manifest '{text}' must be <dataset_manifest_id>:<dataset_fingerprint>");
        return null;
    }

    private static ScopeKey Scope(string? text, List<string> errors)
    {
        var parts = (text ?? "").Split('|');
        if (parts.Length is 3 or 4 && parts.Take(3).All(p => p.Length > 0))
        {
            return new ScopeKey(parts[0], parts[1], parts[2], parts.Length == 4 && parts[3].Length > 0 ? parts[3] : null);
        }

        errors.Add("--scope must be environment|mode|bundle_slot[|tenant_id]");
        return new ScopeKey("", "", "");
    }

    private static TrainingConfig TrainingConfigFrom(string? path, List<string> errors)
    {
        if (path is null)
        {
            return TrainingConfig.Default;
        }

        try
        {
            return JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(path), PlatformJson.Options)
                ?? throw new JsonException("null");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            errors.Add($"--training-config {path}: {exception.Message}");
            return TrainingConfig.Default;
        }
    }

    /// <summary>The client and watcher of one command run.</summary>
    private sealed record Session(HttpClient Http, JobWatcher Watcher, JobsClient Client);

    /// <summary>Options every jobs command has: the service URL, the API key, and how to follow the job.</summary>
    private sealed class CommonOptions(string urlName, string urlDescription, string defaultUrl)
    {
        public Option<string> Url { get; } = OptionRules.UrlOption(urlName, urlDescription, defaultUrl);

        public Option<string?> ApiKey { get; } = new("--api-key") { Description = $"the operator's API key (default: ${ApiKeyVariable}); never printed" };

        public Option<bool> Watch { get; } = new("--watch") { Description = "follow the job until it is COMPLETED (exit 0) or FAILED, TERMINATED or CANCELED (exit 1)" };

        public Option<string> Interval { get; } = new("--interval") { Description = "seconds between polls while watching", DefaultValueFactory = _ => "2" };

        public Option<string> Timeout { get; } = new("--timeout-seconds") { Description = "per-request timeout", DefaultValueFactory = _ => "30" };

        /// <summary>Adds these options; stray tokens reach the action too, which reports them with the other input errors (exit 2).</summary>
        public void AddTo(Command command)
        {
            command.TreatUnmatchedTokensAsErrors = false;
            command.Options.Add(Url);
            command.Options.Add(ApiKey);
            command.Options.Add(Watch);
            command.Options.Add(Interval);
            command.Options.Add(Timeout);
        }

        /// <summary>Prints the input errors (exit 2) or submits the request and reports or follows the job it answers.</summary>
        public async Task<int> SubmitAsync<TRequest>(ParseResult parse, string path, TRequest request, List<string> errors, CancellationToken cancellationToken)
        {
            if (await ClientAsync(parse, Url, errors) is not { } session)
            {
                return JobExitCodes.BadInput;
            }

            using (session.Http)
            {
                var answer = await session.Client.SubmitAsync(path, request, cancellationToken);
                if (answer.Job is not { } job)
                {
                    return await session.Watcher.ReportAsync(answer);
                }

                await parse.InvocationConfiguration.Output.WriteLineAsync($"job_id {job.JobId}");
                return await session.Watcher.FollowAsync(job, parse.GetValue(Watch), cancellationToken);
            }
        }

        /// <summary>A client for the service, or null after printing every input error.</summary>
        public async Task<Session?> ClientAsync(ParseResult parse, Option<string> url, List<string> errors)
        {
            var stderr = parse.InvocationConfiguration.Error;
            var key = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add($"an operator API key is required: --api-key or ${ApiKeyVariable}");
            }

            var interval = double.TryParse(parse.GetValue(Interval), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0.01 and <= 3600
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.Zero;
            if (interval == TimeSpan.Zero)
            {
                errors.Add("--interval must be between 0.01 and 3600 seconds");
            }

            var timeout = Number(parse.GetValue(Timeout), "--timeout-seconds", 1, 600, errors);
            errors.AddRange(parse.UnmatchedTokens.Select(t => $"unrecognised argument '{t}'"));
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await stderr.WriteLineAsync($"error: {error}");
                }

                return null;
            }

            var stdout = parse.InvocationConfiguration.Output;
            // A live terminal gets a progress bar; pipes, logs and tests get plain lines.
            var terminal = OptionRules.IsLiveTerminal(stdout) && ReferenceEquals(stdout, Console.Out) ? AnsiConsole.Console : null;
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(timeout) };
            var client = new JobsClient(http, OptionRules.Url(parse, url), key!);
            return new Session(http, new JobWatcher(client, stdout, stderr, terminal, interval), client);
        }
    }
}
