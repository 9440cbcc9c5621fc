using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace Platformctl.Produce.Generation;

/// <summary>
/// The knobs of the traffic model. Everything here is hashed into parameter_hash and manifest_fingerprint; the model's
/// tables (MCC profiles, countries, diurnal curve) are part of <see cref="ScenarioManifest.CurrentGeneratorVersion"/>.
/// The number of events is not a parameter: the stream is endless and a run takes a prefix of it.
/// </summary>
public sealed record ScenarioParameters(
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset StartUtc,
    int Accounts,
    int Merchants,
    double TransactionsPerAccountPerDay,
    double AtoBurstsPerDay,
    double CollusionRingsPerDay,
    double CardTestingAttacksPerDay,
    double NoChargebackSampleRate)
{
    public static ScenarioParameters Default { get; } = new(
        StartUtc: new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero),
        Accounts: 2000,
        Merchants: 400,
        TransactionsPerAccountPerDay: 2.0,
        AtoBurstsPerDay: 4.0,
        CollusionRingsPerDay: 1.0,
        CardTestingAttacksPerDay: 2.0,
        NoChargebackSampleRate: 0.05);

    /// <summary>The first problem with these parameters, or null when they are usable.</summary>
    public string? Validate() => this switch
    {
        { Accounts: < 10 or > 10_000_000 } => "accounts (--accounts) must be between 10 and 10,000,000",
        { Merchants: < 20 or > 1_000_000 } => "merchants (--merchants) must be between 20 and 1,000,000",
        { TransactionsPerAccountPerDay: <= 0 or > 1000 } => "transactions_per_account_per_day must be in (0, 1000]",
        { AtoBurstsPerDay: < 0 or > 10_000 } or { CollusionRingsPerDay: < 0 or > 10_000 } or { CardTestingAttacksPerDay: < 0 or > 10_000 }
            => "campaign rates must be in [0, 10000] per day",
        { NoChargebackSampleRate: < 0 or > 1 } => "no_chargeback_sample_rate must be in [0, 1]",
        _ => null,
    };
}

/// <summary>
/// What a scenario is: <c>{scenario_id, seed, generator_version, parameters}</c>. Its pins follow CONTRACTS §1:
/// manifest_fingerprint = H(manifest), parameter_hash = H(parameters), scenario_run_id = hex32 of
/// H({seed, scenario_id, generator_version}).
/// </summary>
public sealed record ScenarioManifest(string ScenarioId, long Seed, string GeneratorVersion, ScenarioParameters Parameters)
{
    /// <summary>Bump whenever the model changes what a seed produces (tables, draws, ordering, id derivation).</summary>
    public const string CurrentGeneratorVersion = "card_traffic.v1";

    /// <summary>Seeds travel as JSON numbers; JCS keeps integers exact only up to 2^53 - 1.</summary>
    public const long MaxSeed = (1L << 53) - 1;

    public string ManifestFingerprint() => Digests.Of(this);

    public string ParameterHash() => Digests.Of(Parameters);

    public string ScenarioRunId() => Digests.Hex32(Digests.Of(new ScenarioRunKey(Seed, ScenarioId, GeneratorVersion)));

    private sealed record ScenarioRunKey(long Seed, string ScenarioId, string GeneratorVersion);
}
