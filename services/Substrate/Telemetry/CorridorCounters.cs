using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Substrate.Telemetry;

/// <summary>What happened to one item passing a corridor (a writer boundary, a publish step, a promotion gate...).</summary>
public enum CorridorOutcome
{
    Admitted = 1,
    Duplicate,
    Quarantined,
    Rejected,
    Refused,
    Published,
    PublishAmbiguous,
    Accepted,
    Resolved,
    SafeFallback,
    FailClosed,
    Promoted,
    RolledBack,
    Completed,
    Failed,
}

/// <summary>
/// Counts corridor outcomes on the <c>Platform</c> meter: one counter, <c>platform.corridor.outcomes</c>, tagged
/// <c>corridor</c>, <c>outcome</c> (snake_case, e.g. <c>publish_ambiguous</c>) and optionally <c>reason_code</c>.
/// Tags are low-cardinality names only: never ids, payload values or secrets; the formats are enforced.
/// </summary>
public sealed partial class CorridorCounters
{
    public const string MeterName = "Platform";
    public const string InstrumentName = "platform.corridor.outcomes";

    private static readonly Dictionary<CorridorOutcome, string> OutcomeNames =
        Enum.GetValues<CorridorOutcome>().ToDictionary(outcome => outcome, outcome => JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.ToString()));

    private readonly Counter<long> outcomes;

    public CorridorCounters(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        outcomes = meterFactory.Create(MeterName).CreateCounter<long>(
            InstrumentName, unit: "{item}", description: "Items leaving a corridor, by corridor, outcome and reason code.");
    }

    /// <summary>The tag value of an outcome (<c>publish_ambiguous</c>).</summary>
    public static string OutcomeName(CorridorOutcome outcome) =>
        OutcomeNames.TryGetValue(outcome, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a corridor outcome.");

    /// <param name="corridor">A fixed corridor name such as <c>ig.admission</c> (lowercase, digits, <c>._-</c>).</param>
    /// <param name="reasonCode">A contract reason code such as <c>SCHEMA_FAIL</c> (uppercase snake), or null.</param>
    public void Record(string corridor, CorridorOutcome outcome, string? reasonCode = null, long count = 1)
    {
        if (!CorridorPattern().IsMatch(corridor ?? string.Empty))
        {
            throw new ArgumentException($"Corridor name '{corridor}' must be lowercase letters, digits and '._-' (at most 64).", nameof(corridor));
        }

        if (reasonCode is not null && !ReasonCodePattern().IsMatch(reasonCode))
        {
            throw new ArgumentException("A reason code must be an UPPER_SNAKE contract code (at most 64).", nameof(reasonCode));
        }

        var outcomeName = OutcomeName(outcome);
        if (reasonCode is null)
        {
            outcomes.Add(count, new("corridor", corridor), new("outcome", outcomeName));
        }
        else
        {
            outcomes.Add(count, new("corridor", corridor), new("outcome", outcomeName), new("reason_code", reasonCode));
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CorridorPattern();

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ReasonCodePattern();
}
