namespace Platformctl.Produce.Generation;

/// <summary>A home country: its currency, clock (UTC offset) and share of the account population.</summary>
public sealed record CountryProfile(string Code, string Currency, double UtcOffsetHours, double PopulationShare, double UnitsPerUsd);

/// <summary>
/// A merchant category: its share of legit transactions, a log-normal amount (median in USD, sigma: bigger means a
/// heavier tail) and the share of its merchants that sell online.
/// </summary>
public sealed record MccProfile(string Mcc, string Name, double TrafficShare, double MedianUsd, double Sigma, double OnlineShare);

/// <summary>The fixed tables of the traffic model (covered by the generator version, not by the parameters).</summary>
public static class TrafficModel
{
    public static IReadOnlyList<CountryProfile> Countries { get; } =
    [
        new("US", "USD", -5, 0.40, 1.0),
        new("GB", "GBP", 0, 0.12, 0.79),
        new("DE", "EUR", 1, 0.10, 0.92),
        new("FR", "EUR", 1, 0.08, 0.92),
        new("ES", "EUR", 1, 0.05, 0.92),
        new("NL", "EUR", 1, 0.03, 0.92),
        new("CA", "CAD", -5, 0.07, 1.36),
        new("AU", "AUD", 10, 0.05, 1.52),
        new("IN", "INR", 5.5, 0.05, 83.0),
        new("BR", "BRL", -3, 0.05, 5.0),
    ];

    /// <summary>Where account takeovers and card testers connect from: never a home country of the population.</summary>
    public static IReadOnlyList<string> AttackOrigins { get; } = ["RO", "NG", "VN", "ID", "UA", "RU", "CN", "PH"];

    public static IReadOnlyList<MccProfile> Categories { get; } =
    [
        new("5411", "grocery", 0.22, 45, 0.7, 0.10),
        new("5812", "restaurants", 0.16, 32, 0.6, 0.05),
        new("5541", "fuel", 0.10, 48, 0.4, 0.0),
        new("4121", "rideshare", 0.08, 21, 0.5, 0.95),
        new("5815", "digital_goods", 0.09, 9, 0.8, 1.0),
        new("5999", "misc_retail", 0.09, 38, 1.0, 0.55),
        new("5311", "department_stores", 0.07, 85, 0.9, 0.40),
        new("5732", "electronics", 0.05, 190, 1.0, 0.60),
        new("4511", "airlines", 0.03, 360, 0.7, 0.85),
        new("7011", "hotels", 0.04, 240, 0.8, 0.60),
        new("5944", "jewelry", 0.01, 420, 1.1, 0.40),
        new("7399", "business_services", 0.04, 120, 0.9, 0.90),
        new("8398", "charities", 0.02, 30, 0.9, 0.90),
    ];

    /// <summary>Relative activity by local hour of day: quiet nights, a lunch peak and an evening peak.</summary>
    public static IReadOnlyList<double> Diurnal { get; } =
    [
        0.35, 0.20, 0.12, 0.08, 0.08, 0.12, 0.30, 0.60, 0.90, 1.10, 1.20, 1.40,
        1.60, 1.50, 1.30, 1.25, 1.30, 1.45, 1.60, 1.55, 1.30, 1.00, 0.75, 0.50,
    ];

    /// <summary>The share of legit purchases made at a merchant of the account's own country.</summary>
    public const double DomesticShare = 0.9;

    /// <summary>Legit online sessions from a device the account never used before (a new phone): noise for ATO.</summary>
    public const double LegitNewDeviceShare = 0.015;

    /// <summary>Legit online sessions from abroad (travel): noise for the foreign-IP signal.</summary>
    public const double LegitForeignIpShare = 0.03;

    /// <summary>Amounts above this many USD are clipped: the log-normal tail would otherwise produce absurd values.</summary>
    public const double MaxAmountUsd = 25_000;

    public static IReadOnlyList<string> AtoMccs { get; } = ["5732", "5944", "5311"];

    public static IReadOnlyList<string> CollusionMccs { get; } = ["7399", "5999"];

    public static IReadOnlyList<string> CardTestingMccs { get; } = ["5815", "8398"];

    public static IReadOnlyList<string> CashOutMccs { get; } = ["5732", "5944"];
}
