using System.CommandLine;
using System.Text.RegularExpressions;
using Platform.Substrate.Pinning;
using Platformctl.Cli;
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
        runId.Validators.Add(r => OptionRules.Check(r, PlatformRunId.IsValid(r.GetValueOrDefault<string>()), "--run-id must look like platform_20260105T000000Z"));
        var seed = new Option<long>("--seed")
        {
            Description = "the scenario's seed (0 to 2^53-1): the same seed, scenario and generator version give the same events",
            DefaultValueFactory = _ => 42,
        };
        seed.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<long>() is >= 0 and <= ScenarioManifest.MaxSeed, "--seed must be between 0 and 2^53-1"));
        var scenario = new Option<string>("--scenario")
        {
            Description = "the scenario_id (lowercase letters, digits, '_', '-', '.')",
            DefaultValueFactory = _ => "card_traffic_baseline",
        };
        scenario.Validators.Add(r => OptionRules.Check(r, ScenarioIdPattern().IsMatch(r.GetValueOrDefault<string>() ?? ""), "--scenario must match [a-z0-9][a-z0-9_.-]{0,63}"));
        var events = new Option<long>("--events")
        {
            Description = "envelopes to produce: flow anchors and transactions in pairs (an odd count is rounded up)",
            DefaultValueFactory = _ => 1000,
        };
        events.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<long>() is > 0 and <= 1_000_000_000, "--events must be between 1 and 1,000,000,000"));
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "envelopes per request to POST /v1/events:batch (2 to 500; whole flows per batch)",
            DefaultValueFactory = _ => 100,
        };
        batchSize.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<int>() is >= 2 and <= 500, "--batch-size must be between 2 and 500"));
        var sending = new BatchSendOptions(ApiKeyVariable, "the producer's", "envelope", maxConcurrency: 64);
        var rate = new Option<double?>("--rate") { Description = "cap on events per second (default: as fast as IG answers)" };
        rate.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<double?>() is null or > 0, "--rate must be positive"));
        var igUrl = OptionRules.UrlOption("--ig-url", "the Ingestion Gate's base URL", "http://127.0.0.1:5101");
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
        start.Validators.Add(r => OptionRules.Check(r, OptionRules.TryParseUtc(r.GetValueOrDefault<string>(), out _), "--start must be an RFC 3339 UTC time, e.g. 2026-01-05T00:00:00Z"));
        var accounts = new Option<int>("--accounts") { Description = "accounts in the population; a scenario parameter", DefaultValueFactory = _ => ScenarioParameters.Default.Accounts };
        var merchants = new Option<int>("--merchants") { Description = "merchants in the population; a scenario parameter", DefaultValueFactory = _ => ScenarioParameters.Default.Merchants };

        var command = new Command("produce", "generate deterministic synthetic card traffic with fraud campaigns and send it to the Ingestion Gate")
        {
            runId, seed, scenario, events, batchSize, rate, igUrl, labelsOut, dryRun, output, start, accounts, merchants,
        };
        sending.AddTo(command);
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
            _ = OptionRules.TryParseUtc(parse.GetValue(start), out var startUtc);
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
                var key = sending.Key(parse);
                if (key is null)
                {
                    await stderr.WriteLineAsync($"error: sending needs an API key: --api-key or ${ApiKeyVariable}");
                    return ConfigurationErrorExitCode;
                }

                sender = sending.Apply(new SenderOptions { IgUrl = OptionRules.Url(parse, igUrl), ApiKey = key, RatePerSecond = parse.GetValue(rate) }, parse);
            }

            var request = new ProduceRequest(manifest, platformRunId, parse.GetValue(events), parse.GetValue(batchSize), labelsPath, parse.GetValue(output), sender);
            // A live terminal gets a progress line rewritten in place; logs and pipes get one line per second.
            var interactive = OptionRules.IsLiveTerminal(stderr);
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

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ScenarioIdPattern();
}
