using Platform.Substrate.Pinning;
using Platformctl.Produce.Contracts;

namespace Platformctl.Produce.Generation;

/// <summary>The pattern that produced a transaction: the ground truth behind the labels.</summary>
public enum Campaign
{
    Legit,
    AccountTakeover,
    MerchantCollusion,
    CardTesting,
}

/// <summary>
/// One transaction before it becomes envelopes: when it happened, the session that preceded it and the truth about
/// it (<see cref="Campaign"/> and which instance of the campaign).
/// </summary>
public sealed record PlannedTransaction(
    DateTimeOffset At,
    TimeSpan SessionLength,
    Account Account,
    string CardId,
    Merchant Merchant,
    PaymentChannel Channel,
    string DeviceId,
    string IpCountry,
    decimal Amount,
    Campaign Campaign,
    long CampaignInstance)
{
    public DateTimeOffset SessionStartedAt => UtcTimestamp.Truncate(At - SessionLength);

    public bool IsFraud => Campaign != Campaign.Legit;

    /// <summary>The label's name for <see cref="Campaign"/>.</summary>
    public string CampaignName => Campaign switch
    {
        Campaign.Legit => "legit",
        Campaign.AccountTakeover => "account_takeover",
        Campaign.MerchantCollusion => "merchant_collusion",
        Campaign.CardTesting => "card_testing",
        _ => throw new InvalidOperationException($"Unknown campaign {Campaign}."),
    };

    /// <summary><paramref name="start"/> plus <paramref name="seconds"/>, at the contracts' microsecond precision.</summary>
    public static DateTimeOffset After(DateTimeOffset start, double seconds) =>
        UtcTimestamp.Truncate(start.AddTicks((long)(seconds * TimeSpan.TicksPerSecond)));

    /// <summary>A USD amount in the merchant's currency, two decimals, clipped to a plausible range.</summary>
    public static decimal FromUsd(double usd, CountryProfile merchantCountry)
    {
        ArgumentNullException.ThrowIfNull(merchantCountry);
        return LocalAmount(Math.Min(usd, TrafficModel.MaxAmountUsd) * merchantCountry.UnitsPerUsd);
    }

    /// <summary>An amount already in the merchant's currency, rounded to two decimals and never below 0.01.</summary>
    public static decimal LocalAmount(double units) => Math.Max(0.01m, Math.Round((decimal)units, 2, MidpointRounding.ToEven));
}
