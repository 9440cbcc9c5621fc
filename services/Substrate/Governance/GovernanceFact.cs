using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Governance;

/// <summary>
/// An append-only, typed record of something that happened (CONTRACTS §9):
/// <c>{fact_id, fact_type, ts_utc, actor, pins, provenance, details}</c>. Create it with <see cref="Create"/>, which
/// derives the idempotent <c>fact_id</c>. <c>details</c> carries references and digests, never payloads or secrets.
/// </summary>
public sealed record GovernanceFact(
    string FactId,
    GovernanceFactType FactType,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset TsUtc,
    GovernanceActor Actor,
    GovernancePins Pins,
    Provenance Provenance,
    JsonElement Details)
{
    /// <summary>
    /// Builds a fact and its <c>fact_id</c> = H(<c>"{fact_type}|{platform_run_id}|{source_component}|{dedupe_detail}"</c>),
    /// i.e. SHA-256 over the canonical JSON of that string. Emitting the same occurrence again (same type, run,
    /// component and <paramref name="dedupeDetail"/>) yields the same id, so a retry lands on the same object.
    /// </summary>
    /// <param name="dedupeDetail">What distinguishes this occurrence from others of its type in the run and component
    /// (e.g. the new policy digest, the job request id); empty for once-per-run facts such as RUN_STARTED.</param>
    /// <param name="details">Serialized with <see cref="PlatformJson.Options"/>; must serialize to a JSON object.</param>
    public static GovernanceFact Create(
        GovernanceFactType factType,
        GovernanceActor actor,
        GovernancePins pins,
        Provenance provenance,
        string dedupeDetail,
        object details,
        DateTimeOffset tsUtc)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentNullException.ThrowIfNull(dedupeDetail);
        ArgumentNullException.ThrowIfNull(details);

        // Cloned so the fact outlives whatever document a caller's element came from.
        var detailsElement = details is JsonElement element ? element.Clone() : JsonSerializer.SerializeToElement(details, details.GetType(), PlatformJson.Options);
        var fact = new GovernanceFact(
            ComputeFactId(factType, pins.PlatformRunId, actor.SourceComponent, dedupeDetail),
            factType,
            UtcTimestamp.Truncate(tsUtc),
            actor,
            pins,
            provenance,
            detailsElement);
        fact.Validate();
        return fact;
    }

    /// <summary>The <c>fact_id</c> rule; see <see cref="Create"/>.</summary>
    public static string ComputeFactId(GovernanceFactType factType, string platformRunId, string sourceComponent, string dedupeDetail) =>
        Digests.Of($"{WireName(factType)}|{platformRunId}|{sourceComponent}|{dedupeDetail}");

    /// <summary>The contract spelling of a fact type (<c>POLICY_REV_CHANGED</c>).</summary>
    public static string WireName(GovernanceFactType factType) =>
        Enum.IsDefined(factType)
            ? JsonSerializer.Serialize(factType).Trim('"')
            : throw new ArgumentOutOfRangeException(nameof(factType), factType, "Not a governance fact type.");

    /// <summary>Throws <see cref="InvalidGovernanceFactException"/> when the fact breaks the contract.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (!Digests.IsHex64(FactId))
        {
            problems.Add("fact_id must be 64 lowercase hex characters");
        }

        if (!Enum.IsDefined(FactType))
        {
            problems.Add($"fact_type {(int)FactType} is not a governance fact type");
        }

        if (Pins is null || !PlatformRunId.IsValid(Pins.PlatformRunId))
        {
            problems.Add("pins.platform_run_id is missing or not of the form platform_YYYYMMDDTHHMMSSZ");
        }

        if (Actor is null)
        {
            problems.Add("actor is missing");
        }
        else
        {
            problems.AddRange(Actor.Problems());
        }

        if (Provenance is null || string.IsNullOrEmpty(Provenance.ServiceReleaseId) || !Enum.IsDefined(Provenance.Environment))
        {
            problems.Add("provenance must carry service_release_id and environment");
        }

        if (Details.ValueKind != JsonValueKind.Object)
        {
            problems.Add("details must be a JSON object");
        }

        if (problems.Count > 0)
        {
            throw new InvalidGovernanceFactException($"Invalid {FactType} governance fact: {string.Join("; ", problems)}.");
        }
    }
}

/// <summary>
/// <c>actor{actor_id, source_type, source_component}</c>: <c>actor_id</c> is <c>SYSTEM::&lt;service&gt;</c> or
/// <c>HUMAN::&lt;id&gt;</c> (from the authenticated principal only), <c>source_component</c> the service that emitted.
/// </summary>
public sealed record GovernanceActor(string ActorId, SourceType SourceType, string SourceComponent)
{
    /// <summary>The actor of a fact a service emits on its own behalf: <c>SYSTEM::&lt;service&gt;</c>.</summary>
    public static GovernanceActor ForService(PlatformRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new GovernanceActor(ActorContext.SystemPrefix + ActorContext.Separator + runtime.ServiceName, SourceType.System, runtime.ServiceName);
    }

    /// <summary>The actor of a fact caused by an authenticated caller (e.g. a HUMAN promoting a bundle through mpr).</summary>
    public static GovernanceActor ForCaller(ActorContext caller, PlatformRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(runtime);
        return new GovernanceActor(caller.ActorId, caller.SourceType, runtime.ServiceName);
    }

    internal IEnumerable<string> Problems()
    {
        if (!Enum.IsDefined(SourceType))
        {
            yield return $"actor.source_type {(int)SourceType} is not SYSTEM or HUMAN";
        }
        else
        {
            var prefix = SourceTypes.ToWireName(SourceType) + ActorContext.Separator;
            if (ActorId is null || !ActorId.StartsWith(prefix, StringComparison.Ordinal) || ActorId.Length == prefix.Length)
            {
                yield return $"actor.actor_id must be {prefix}<id> for source_type {SourceTypes.ToWireName(SourceType)}";
            }
        }

        if (string.IsNullOrWhiteSpace(SourceComponent) || SourceComponent.Contains('|', StringComparison.Ordinal))
        {
            yield return "actor.source_component must be a component name";
        }
    }
}

/// <summary>
/// <c>pins{platform_run_id, ...}</c>: the run a fact belongs to (required) and, when the fact concerns a scenario,
/// the envelope pins that identify it. Absent pins are omitted from the JSON.
/// </summary>
public sealed record GovernancePins(
    string PlatformRunId,
    string? ScenarioRunId = null,
    string? ManifestFingerprint = null,
    string? ParameterHash = null,
    string? ScenarioId = null,
    long? Seed = null);

/// <summary>A governance fact breaks the contract (no platform_run_id, bad actor, non-object details...).</summary>
public sealed class InvalidGovernanceFactException : Exception
{
    public InvalidGovernanceFactException(string message)
        : base(message)
    {
    }
}
