using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;

namespace Platformctl.Runs;

/// <summary>
/// Starts and ends platform runs (CONTRACTS §1): <c>run new</c> mints the <c>platform_run_id</c> and records
/// RUN_STARTED, <c>run end</c> records RUN_ENDED for a run that was started. Facts go through the Substrate
/// emitter, i.e. the sidecar's <c>objectstore</c> and <c>eb-governance-out</c> (both scoped to app-id platformctl).
/// </summary>
public sealed class RunLedger
{
    /// <summary>The app-id platformctl's sidecar runs as, and the source_component of its facts.</summary>
    public const string AppId = "platformctl";

    private readonly DaprObjectStore _objects;
    private readonly GovernanceFactEmitter _emitter;
    private readonly PlatformRuntime _runtime;
    private readonly TimeProvider _time;

    public RunLedger(DaprClient client, PlatformRuntime runtime, TimeProvider time)
    {
        _objects = new DaprObjectStore(client);
        _emitter = new GovernanceFactEmitter(_objects, new DaprEventBus(client, time), NullLogger<GovernanceFactEmitter>.Instance);
        _runtime = runtime;
        _time = time;
    }

    /// <summary>Mints a run id from the clock and records RUN_STARTED. A run id already started this second is refused.</summary>
    public async Task<RunFact> StartAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var runId = PlatformRunId.Mint(now);
        if (await StartedFactAsync(runId, cancellationToken) is not null)
        {
            throw new RunLedgerException($"{runId} was already started (one run per second): try again");
        }

        var started = await EmitAsync(GovernanceFactType.RunStarted, runId, new RunStartedDetails(UtcTimestamp.Format(now)), cancellationToken);
        // Another operator may have started the same second between the check above and the write-once store.
        return started.Emission.Outcome == ObjectWriteOutcome.Created
            ? started
            : throw new RunLedgerException($"{runId} was already started (one run per second): try again");
    }

    /// <summary>Records RUN_ENDED for <paramref name="runId"/>; refuses an id that is malformed or was never started.</summary>
    public async Task<RunFact> EndAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken)
    {
        if (!PlatformRunId.IsValid(runId))
        {
            throw new RunLedgerException($"'{runId}' is not a platform_run_id (platform_YYYYMMDDTHHMMSSZ)");
        }

        var started = await StartedFactAsync(runId, cancellationToken)
            ?? throw new RunLedgerException($"{runId} has no RUN_STARTED fact: start runs with `platformctl run new`");
        var now = _time.GetUtcNow();
        return await EmitAsync(
            GovernanceFactType.RunEnded,
            runId,
            new RunEndedDetails(UtcTimestamp.Format(now), outcome == RunOutcome.Completed ? "completed" : "aborted", started),
            cancellationToken);
    }

    private async Task<string?> StartedFactAsync(string runId, CancellationToken cancellationToken)
    {
        var factId = GovernanceFact.ComputeFactId(GovernanceFactType.RunStarted, runId, _runtime.ServiceName, "");
        return await _objects.GetAsync(GovernanceFactEmitter.ObjectKey(runId, factId), cancellationToken) is null ? null : factId;
    }

    private async Task<RunFact> EmitAsync(GovernanceFactType type, string runId, object details, CancellationToken cancellationToken)
    {
        // Once per run and type, so the dedupe detail is empty: a retried `run end` lands on the same fact.
        var fact = GovernanceFact.Create(type, GovernanceActor.ForService(_runtime), new GovernancePins(runId), _runtime.ProvenanceFor(null), "", details, _time.GetUtcNow());
        var emission = await _emitter.EmitAsync(fact, cancellationToken);
        return new RunFact(runId, type, emission);
    }
}

public enum RunOutcome
{
    Completed = 1,
    Aborted,
}

/// <summary>What <see cref="RunLedger"/> recorded.</summary>
public sealed record RunFact(string PlatformRunId, GovernanceFactType FactType, GovernanceFactEmission Emission);

/// <summary>RUN_STARTED details.</summary>
public sealed record RunStartedDetails(string StartedAtUtc);

/// <summary>RUN_ENDED details: when, how, and the RUN_STARTED fact it closes.</summary>
public sealed record RunEndedDetails(string EndedAtUtc, string Outcome, string StartedFactId);

/// <summary>A run operation refused before anything was written.</summary>
public sealed class RunLedgerException : Exception
{
    public RunLedgerException(string message)
        : base(message)
    {
    }
}
