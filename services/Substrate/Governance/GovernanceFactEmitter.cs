using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Governance;

/// <summary>
/// Records governance facts: first write-once to the object store at
/// <c>&lt;platform_run_id&gt;/obs/governance/&lt;fact_id&gt;.json</c> (the durable record), then publish on the governance
/// stream keyed by platform_run_id. Emitting is idempotent and retry-safe: a fact already stored is not an error, and
/// it is published again because the earlier attempt may have stopped before publishing (consumers dedupe by fact_id).
/// </summary>
public sealed class GovernanceFactEmitter(IObjectStore objectStore, IEventBus eventBus, ILogger<GovernanceFactEmitter> logger)
{
    private const string ContentType = "application/json";

    /// <summary>Where a fact is stored.</summary>
    public static string ObjectKey(string platformRunId, string factId) => $"{platformRunId}/obs/governance/{factId}.json";

    /// <summary>
    /// Stores then publishes <paramref name="fact"/>. Throws <see cref="InvalidGovernanceFactException"/> for an
    /// invalid fact (nothing written) and lets <see cref="EventBusPublishException"/> through: retry the emit.
    /// </summary>
    public async Task<GovernanceFactEmission> EmitAsync(GovernanceFact fact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fact);
        fact.Validate();

        var key = ObjectKey(fact.Pins.PlatformRunId, fact.FactId);
        var record = CanonicalJson.Serialize(fact);
        ObjectWriteOutcome outcome;
        try
        {
            outcome = await objectStore.CreateIfAbsentAsync(key, record, ContentType, cancellationToken);
        }
        catch (ObjectConflictException)
        {
            // Same fact_id means the same occurrence: the first record stands (a retry may carry a later ts_utc).
            record = await objectStore.GetAsync(key, cancellationToken)
                ?? throw new InvalidOperationException($"Object store reported a conflict at '{key}' but holds no object there.");
            outcome = ObjectWriteOutcome.AlreadyPresent;
            logger.LogWarning("Governance fact {FactId} ({FactType}) was already recorded with different content; keeping the first record", fact.FactId, fact.FactType);
        }

        var published = await eventBus.PublishAsync(PlatformNames.Streams.Governance, fact.Pins.PlatformRunId, record, cancellationToken);
        return new GovernanceFactEmission(fact.FactId, key, outcome, published);
    }
}

/// <summary>The result of <see cref="GovernanceFactEmitter.EmitAsync"/>.</summary>
public sealed record GovernanceFactEmission(string FactId, string ObjectKey, ObjectWriteOutcome Outcome, EventBusPublishResult Published);

public static class GovernanceServiceCollectionExtensions
{
    /// <summary>Registers <see cref="GovernanceFactEmitter"/>; needs <see cref="IObjectStore"/> and <see cref="IEventBus"/>.</summary>
    public static IServiceCollection AddGovernanceFacts(this IServiceCollection services)
    {
        services.TryAddSingleton<GovernanceFactEmitter>();
        return services;
    }
}
