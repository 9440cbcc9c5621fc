using System.Text.Json.Nodes;
using CaseLabels.Domain;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace CaseLabels.Tests;

/// <summary>Assertions, callers and the repository's label policy for the tests.</summary>
internal static class TestLabels
{
    public static readonly DateTimeOffset Effective = new(2026, 11, 27, 21, 35, 3, 123456 / 1000, TimeSpan.Zero);

    public static readonly DateTimeOffset Observed = Effective.AddDays(12);

    private static readonly Lazy<LabelPolicy> SharedPolicy = new(() => LabelPolicy.Load(SchemaContract.SchemasDirectory));

    /// <summary>The label policy exactly as cm loads it, from the repository's <c>schemas/</c>.</summary>
    public static LabelPolicy Policy => SharedPolicy.Value;

    public static ActorContext Analyst { get; } = Caller("HUMAN::alice", SourceType.Human, PlatformRoles.Labeler);

    public static ActorContext Feed { get; } = Caller("SYSTEM::chargeback_feed", SourceType.System, PlatformRoles.LabelFeed);

    public static ActorContext SystemLabeler { get; } = Caller("SYSTEM::rules", SourceType.System, PlatformRoles.Labeler);

    public static ActorContext Caller(string actorId, SourceType sourceType, params string[] roles) =>
        new(actorId, sourceType, AuthMode.ApiKey, roles.ToHashSet(StringComparer.Ordinal));

    /// <summary>A run id nobody else uses: state in the shared database outlives test runs.</summary>
    public static string FreshRunId() =>
        PlatformRunId.Mint(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.NextInt64(0, 98L * 365 * 24 * 3600)));

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static LabelAssertion Assertion(
        string labelType = "chargeback_status", string value = "CHARGEBACK", string? runId = null, string? eventId = null,
        DateTimeOffset? observed = null, DateTimeOffset? effective = null, string? taxonomyVersion = null) =>
        new(runId ?? "platform_20261127T213503Z", eventId ?? "evt-0001", labelType, value, observed ?? Observed, effective ?? Effective, taxonomyVersion);

    /// <summary>The JSON a writer sends for an assertion.</summary>
    public static JsonObject AssertionJson(string runId, string eventId, string labelType = "chargeback_status", string value = "CHARGEBACK", DateTimeOffset? observed = null, DateTimeOffset? effective = null) => new()
    {
        ["platform_run_id"] = runId,
        ["event_id"] = eventId,
        ["label_type"] = labelType,
        ["value"] = value,
        ["observed_time"] = UtcTimestamp.Format(observed ?? Observed),
        ["effective_time"] = UtcTimestamp.Format(effective ?? Effective),
        ["taxonomy_version"] = "label_store.taxonomy.v0",
    };
}
