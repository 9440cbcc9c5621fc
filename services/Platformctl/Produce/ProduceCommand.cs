using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Substrate.Pinning;
using Platformctl.Produce.Generation;
using Platformctl.Produce.Sending;

namespace Platformctl.Produce;

/// <summary><c>platformctl produce</c>: the deterministic synthetic card-traffic producer.</summary>
public static partial class ProduceCommand
{
    public const string ApiKeyVariable = "PLATFORM_PRODUCER_API_KEY";
    public const string StateDirVariable = "PLATFORM_STATE_DIR";
    public const string DefaultStateDir = "/tmp/platform-local_parity";
    public const int ConfigurationErrorExitCode = 2;

    public static Command Create()
    {
        var runId = new Option<string>("--run-id")
        {
            Description = "the platform_run_id the events belong to (platform_YYYYMMDDTHHMMSSZ)",
            Required = true,
        };
        runId.Validators.Add(r => Check(r, PlatformRunId.IsValid(r.GetValueOrDefault<string>()), "--run-id must look like platform_20260105T000000Z"));
        var seed = new Option<long>("--seed")
        {
            Description = "the scenario's seed (0 to 2^53-1): the same seed, scenario and generator version give the same events",
            DefaultValueFactory = _ => 42,
        };
        seed.Validators.Add(r => Check(r, r.GetValueOrDefault<long>() is >= 0 and <= ScenarioManifest.MaxSeed, "--seed must be between 0 and 2^53-1"));
        var scenario = new Option<string>("--scenario")
        {
            Description = "the scenario_id (lowercase letters, digits, '_', '-', '.')",
            DefaultValueFactory = _ => "card_traffic_baseline",
        };
        scenario.Validators.Add(r => Check(r, ScenarioIdPattern().IsMatch(r.GetValueOrDefault<string>() ?? ""), "--scenario must match [a-z0-9][a-z0-9_.-]{0,63}"));
        var events = new Option<long>("--events")
        {
            Description = "envelopes to produce: flow anchors and transactions in pairs (an odd count is rounded up)",
            DefaultValueFactory = _ => 1000,
        };
        events.Validators.Add(r => Check(r, r.GetValueOrDefault<long>() is > 0 and <= 1_000_000_000, "--events must be between 1 and 1,000,000,000"));
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "envelopes per request to POST /v1/events:batch (2 to 500; whole flows per batch)",
            DefaultValueFactory = _ => 100,
        };
        batchSize.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 2 and <= 500, "--batch-size must be between 2 and 500"));
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "requests in flight at once",
            DefaultValueFactory = _ => 4,
        };
        concurrency.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 64, "--concurrency must be between 1 and 64"));
        var rate = new Option<double?>("--rate") { Description = "cap on events per second (default: as fast as IG answers)" };
        rate.Validators.Add(r => Check(r, r.GetValueOrDefault<double?>() is null or > 0, "--rate must be positive"));
        var igUrl = new Option<string>("--ig-url")
        {
            Description = "the Ingestion Gate's base URL",
            DefaultValueFactory = _ => "http://127.0.0.1:5101",
        };
        igUrl.Validators.Add(r => Check(r, TryParseUrl(r.GetValueOrDefault<string>(), out _), "--ig-url must be an absolute http(s) URL"));
        var apiKey = new Option<string?>("--api-key") { Description = $"the producer's API key (default: ${ApiKeyVariable}); never printed" };
        var maxAttempts = new Option<int>("--max-attempts")
        {
            Description = "attempts per envelope before a still-retryable one counts as lost",
            DefaultValueFactory = _ => 8,
        };
        maxAttempts.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 100, "--max-attempts must be between 1 and 100"));
        var timeout = new Option<int>("--timeout-seconds") { Description = "per-request timeout", DefaultValueFactory = _ => 30 };
        timeout.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 600, "--timeout-seconds must be between 1 and 600"));
        var labelsOut = new Option<string?>("--labels-out")
        {
            Description = $"where the ground-truth labels go (default: ${StateDirVariable}/producer/<run-id>/labels_<scenario_run_id>.ndjson)",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "write the envelopes to --out instead of sending them" };
        var output = new Option<string?>("--out") { Description = "the NDJSON file a dry run writes" };
        var start = new Option<string>("--start")
        {
            Description = "simulated start of the traffic (RFC 3339 UTC); a scenario parameter",
            DefaultValueFactory = _ => UtcTimestamp.Format(ScenarioParameters.Default.StartUtc),
        };
        start.Validators.Add(r => Check(r, TryParseStart(r.GetValueOrDefault<string>(), out _), "--start must be an RFC 3339 UTC time, e.g. 2026-01-05T00:00:00Z"));
        var accounts = new Option<int>("--accounts") { Description = "accounts in the population; a scenario parameter", DefaultValueFactory = _ => ScenarioParameters.Default.Accounts };
        var merchants = new Option<int>("--merchants") { Description = "merchants in the population; a scenario parameter", DefaultValueFactory = _ => ScenarioParameters.Default.Merchants };

        var command = new Command("produce", "generate deterministic synthetic card traffic with fraud campaigns and send it to the Ingestion Gate")
        {
            runId, seed, scenario, events, batchSize, concurrency, rate, igUrl, apiKey, maxAttempts, timeout, labelsOut, dryRun, output, start, accounts, merchants,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(dryRun) != !string.IsNullOrEmpty(result.GetValue(output)))
            {
                result.AddError("--dry-run and --out go together: a dry run writes its envelopes to --out");
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            _ = TryParseStart(parse.GetValue(start), out var startUtc);
            var manifest = new ScenarioManifest(
                parse.GetValue(scenario)!,
                parse.GetValue(seed),
                ScenarioManifest.CurrentGeneratorVersion,
                ScenarioParameters.Default with { StartUtc = startUtc, Accounts = parse.GetValue(accounts), Merchants = parse.GetValue(merchants) });
            if (manifest.Parameters.Validate() is { } problem)
            {
                await stderr.WriteLineAsync($"error: {problem}");
                return ConfigurationErrorExitCode;
            }

            var platformRunId = parse.GetValue(runId)!;
            var labelsPath = parse.GetValue(labelsOut) ?? DefaultLabelsPath(platformRunId, manifest.ScenarioRunId());

            SenderOptions? sender = null;
            if (!parse.GetValue(dryRun))
            {
                var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
                if (string.IsNullOrWhiteSpace(key))
                {
                    await stderr.WriteLineAsync($"error: sending needs an API key: --api-key or ${ApiKeyVariable}");
                    return ConfigurationErrorExitCode;
                }

                sender = new SenderOptions
                {
                    IgUrl = TryParseUrl(parse.GetValue(igUrl), out var url) ? url : throw new InvalidOperationException("--ig-url was validated"),
                    ApiKey = key,
                    Concurrency = parse.GetValue(concurrency),
                    RatePerSecond = parse.GetValue(rate),
                    MaxAttempts = parse.GetValue(maxAttempts),
                    RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                };
            }

            var request = new ProduceRequest(manifest, platformRunId, parse.GetValue(events), parse.GetValue(batchSize), labelsPath, parse.GetValue(output), sender);
            // A live terminal gets a progress line rewritten in place; logs and pipes get one line per second.
            var interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
            return await new ProduceRun(stdout, stderr, interactive).RunAsync(request, cancellationToken);
        });
        return command;
    }

    public static string DefaultLabelsPath(string platformRunId, string scenarioRunId)
    {
        var stateDir = Environment.GetEnvironmentVariable(StateDirVariable);
        return Path.Combine(
            string.IsNullOrWhiteSpace(stateDir) ? DefaultStateDir : stateDir,
            "producer",
            platformRunId,
            $"labels_{scenarioRunId}.ndjson");
    }

    private static bool TryParseStart(string? text, out DateTimeOffset value)
    {
        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value)
            && text!.EndsWith('Z');
        value = UtcTimestamp.Truncate(value);
        return ok;
    }

    private static bool TryParseUrl(string? text, out Uri url) =>
        Uri.TryCreate(text, UriKind.Absolute, out url!) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private static void Check(OptionResult result, bool valid, string message)
    {
        if (!valid)
        {
            result.AddError(message);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ScenarioIdPattern();
}
