using System.CommandLine;
using System.Text.Json;
using Dapr.Client;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Testing;
using Platformctl.Runs;

namespace Platformctl.Tests.Runs;

/// <summary>
/// `platformctl run new` / `run end` against a harness sidecar started as app-id platformctl on the real
/// components/local_parity set: the facts land write-once in the object store (the scopes must let platformctl
/// load objectstore, eb-governance-out and secretstore) and are published on the governance stream.
/// </summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    private const string ReleaseId = "0123456789abcdef0123456789abcdef01234567";

    // A random second far from now, so runs of this test (and parallel ones) never mint the same platform_run_id.
    private readonly FixedClock _clock = new(new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.NextInt64(0, 60L * 365 * 24 * 3600)));
    private HarnessInstance _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await HarnessInstance.StartAsync(RunLedger.AppId);

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Run_new_mints_the_id_and_records_RUN_STARTED_in_the_object_store()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("run", "new");

        Assert.True(exitCode == 0, stderr);
        var runId = stdout.Trim();
        Assert.Equal(Platform.Substrate.Pinning.PlatformRunId.Mint(_clock.Now), runId);
        var fact = await ReadFactAsync(GovernanceFactType.RunStarted, runId);
        Assert.Equal("RUN_STARTED", fact.GetProperty("fact_type").GetString());
        Assert.Equal(runId, fact.GetProperty("pins").GetProperty("platform_run_id").GetString());
        Assert.Equal("SYSTEM::platformctl", fact.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal("platformctl", fact.GetProperty("actor").GetProperty("source_component").GetString());
        Assert.Equal("local_parity", fact.GetProperty("provenance").GetProperty("environment").GetString());
        Assert.Equal(ReleaseId, fact.GetProperty("provenance").GetProperty("service_release_id").GetString());
        Assert.Empty(SchemaContract.Errors("governance_fact.v0.schema.json", fact));
    }

    [Fact]
    public async Task Run_end_records_RUN_ENDED_pointing_at_the_RUN_STARTED_fact()
    {
        var (_, stdout, _) = await InvokeAsync("run", "new");
        var runId = stdout.Trim();
        _clock.Advance(TimeSpan.FromMinutes(5));

        var (exitCode, endOut, stderr) = await InvokeAsync("run", "end", runId, "--outcome", "Aborted");

        Assert.True(exitCode == 0, stderr);
        var ended = await ReadFactAsync(GovernanceFactType.RunEnded, runId);
        var started = GovernanceFact.ComputeFactId(GovernanceFactType.RunStarted, runId, RunLedger.AppId, "");
        Assert.Equal(started, ended.GetProperty("details").GetProperty("started_fact_id").GetString());
        Assert.Equal("aborted", ended.GetProperty("details").GetProperty("outcome").GetString());
        Assert.Empty(SchemaContract.Errors("governance_fact.v0.schema.json", ended));
        // Piped output is one tab-separated row: run id, fact type, fact id, object key, outcome.
        Assert.Equal([runId, "RUN_ENDED", ended.GetProperty("fact_id").GetString()!, GovernanceFactEmitter.ObjectKey(runId, ended.GetProperty("fact_id").GetString()!), "Created"], endOut.Trim().Split('\t'));
    }

    [Fact]
    public async Task Run_end_refuses_a_run_that_was_never_started_and_writes_nothing()
    {
        var runId = Platform.Substrate.Pinning.PlatformRunId.Mint(_clock.Now);

        var (exitCode, _, stderr) = await InvokeAsync("run", "end", runId);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{runId} has no RUN_STARTED fact", stderr, StringComparison.Ordinal);
        var endedKey = GovernanceFactEmitter.ObjectKey(runId, GovernanceFact.ComputeFactId(GovernanceFactType.RunEnded, runId, RunLedger.AppId, ""));
        Assert.Null(await new DaprObjectStore(_sidecar.Client).GetAsync(endedKey, CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_run_id_and_a_second_run_in_the_same_second_are_refused()
    {
        Assert.Equal(1, (await InvokeAsync("run", "end", "run_1")).ExitCode);
        Assert.Equal(0, (await InvokeAsync("run", "new")).ExitCode);

        var (exitCode, _, stderr) = await InvokeAsync("run", "new");

        Assert.Equal(1, exitCode);
        Assert.Contains("was already started", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_PLATFORM_ENV_or_a_sidecar_it_fails_with_distinct_exit_codes()
    {
        Assert.Equal(2, (await InvokeAsync(["run", "new"], new Dictionary<string, string>())).ExitCode);

        var unreachable = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{FreePort.Next()}").Build();
        var (exitCode, _, stderr) = await InvokeAsync(["run", "new"], Variables, () => unreachable);
        Assert.Equal(3, exitCode);
        Assert.Contains("dapr run --app-id platformctl", stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Variables => new() { ["PLATFORM_ENV"] = "local_parity", ["SERVICE_RELEASE_ID"] = ReleaseId };

    private async Task<JsonElement> ReadFactAsync(GovernanceFactType type, string runId)
    {
        var key = GovernanceFactEmitter.ObjectKey(runId, GovernanceFact.ComputeFactId(type, runId, RunLedger.AppId, ""));
        var bytes = await new DaprObjectStore(_sidecar.Client).GetAsync(key, CancellationToken.None);
        Assert.NotNull(bytes);
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args) => InvokeAsync(args, Variables);

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(string[] args, Dictionary<string, string> variables, Func<DaprClient>? client = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        // The command disposes the client it is given, so each invocation gets its own, pointed at the sidecar.
        var command = RunCommand.Create(
            client ?? (() => new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{_sidecar.GrpcPort}").UseHttpEndpoint($"http://127.0.0.1:{_sidecar.HttpPort}").Build()),
            name => variables.GetValueOrDefault(name),
            _clock);
        var exitCode = await new RootCommand { command }.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private sealed class FixedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; private set; } = start;

        public void Advance(TimeSpan by) => Now += by;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
