using System.CommandLine;
using Dapr;
using Dapr.Client;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Governance;
using Platformctl.Env;

namespace Platformctl.Runs;

/// <summary>
/// <c>platformctl run new</c> / <c>platformctl run end &lt;platform_run_id&gt;</c>. platformctl talks to its own
/// sidecar (app-id <c>platformctl</c>): <c>dapr run --app-id platformctl --resources-path components/&lt;env&gt;
/// --config components/&lt;env&gt;/config.yaml -- platformctl run new</c>, which sets DAPR_GRPC_ENDPOINT /
/// DAPR_HTTP_ENDPOINT for it. Exit codes: 0 recorded, 1 refused, 2 misconfigured, 3 sidecar unreachable or failing.
/// </summary>
public static class RunCommand
{
    public static Command Create(Func<DaprClient>? clientFactory = null, Func<string, string?>? readVariable = null, TimeProvider? time = null)
    {
        var read = readVariable ?? Environment.GetEnvironmentVariable;
        var clock = time ?? TimeProvider.System;
        var connect = clientFactory ?? (() => new DaprClientBuilder().Build());

        var start = new Command("new", "mint a platform_run_id and record RUN_STARTED; piped, prints only the id");
        start.SetAction((parse, cancellationToken) =>
            ExecuteAsync(parse, read, connect, clock, ledger => ledger.StartAsync(cancellationToken), (console, fact) =>
            {
                if (console.IsTerminal)
                {
                    Describe(console, fact);
                }
                else
                {
                    parse.InvocationConfiguration.Output.WriteLine(fact.PlatformRunId);
                }
            }));

        var runId = new Argument<string>("platform_run_id") { Description = "the run to end (platform_YYYYMMDDTHHMMSSZ)" };
        var outcome = new Option<RunOutcome>("--outcome") { Description = "how the run ended", DefaultValueFactory = _ => RunOutcome.Completed };
        var end = new Command("end", "record RUN_ENDED for a run started with `run new`") { runId, outcome };
        end.SetAction((parse, cancellationToken) =>
            ExecuteAsync(parse, read, connect, clock, ledger => ledger.EndAsync(parse.GetValue(runId)!, parse.GetValue(outcome), cancellationToken), Describe));

        return new Command("run", "platform runs: every governance fact and manifest carries a platform_run_id") { start, end };
    }

    private static async Task<int> ExecuteAsync(
        ParseResult parse,
        Func<string, string?> read,
        Func<DaprClient> connect,
        TimeProvider clock,
        Func<RunLedger, Task<RunFact>> act,
        Action<OperatorConsole, RunFact> report)
    {
        var stderr = parse.InvocationConfiguration.Error;
        PlatformRuntime runtime;
        try
        {
            runtime = PlatformRuntime.FromEnvironment(RunLedger.AppId, read);
        }
        catch (PlatformStartupException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        using var client = connect();
        try
        {
            report(new OperatorConsole(parse.InvocationConfiguration.Output), await act(new RunLedger(client, runtime, clock)));
            return 0;
        }
        catch (RunLedgerException e)
        {
            await stderr.WriteLineAsync($"refused: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is DaprException or EventBusPublishException or Grpc.Core.RpcException or HttpRequestException)
        {
            await stderr.WriteLineAsync(
                $"error: the sidecar did not record the fact ({e.Message}). Run platformctl under its own sidecar: "
                + $"dapr run --app-id {RunLedger.AppId} --resources-path components/<env> --config components/<env>/config.yaml -- platformctl run ...");
            return 3;
        }
    }

    private static void Describe(OperatorConsole console, RunFact fact) =>
        console.Table(
            $"{GovernanceFact.WireName(fact.FactType)} {fact.PlatformRunId}",
            ["platform_run_id", "fact_type", "fact_id", "object_key", "recorded"],
            [[fact.PlatformRunId, GovernanceFact.WireName(fact.FactType), fact.Emission.FactId, fact.Emission.ObjectKey, fact.Emission.Outcome.ToString()]]);
}
