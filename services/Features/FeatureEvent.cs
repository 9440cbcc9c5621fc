using System.Globalization;
using System.Text.Json;

namespace Platform.Features;

/// <summary>
/// What the feature set reads of a transaction. <see cref="AmountMinor"/> is the amount in hundredths (the payload
/// allows at most two decimals), so sums are exact integers and never depend on the order they were added in.
/// </summary>
public sealed record FeatureEvent(
    string EventId,
    DateTimeOffset TsUtc,
    string AccountId,
    string MerchantId,
    string CardId,
    string DeviceId,
    long AmountMinor)
{
    public const string TransactionEventType = "transaction";

    /// <summary>Replay order: event time, then event_id (ordinal) so equal timestamps order the same everywhere.</summary>
    public static IComparer<FeatureEvent> ReplayOrder { get; } = Comparer<FeatureEvent>.Create((a, b) =>
    {
        var byTime = a.TsUtc.UtcTicks.CompareTo(b.TsUtc.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.EventId, b.EventId);
    });

    /// <summary>
    /// Reads a transaction envelope (CONTRACTS §2, payload transaction.v1). False with a reason for anything else: other
    /// event types, missing members, timestamps not in RFC 3339 UTC, amounts with more than two decimals.
    /// </summary>
    public static bool TryFromEnvelope(JsonElement envelope, out FeatureEvent? featureEvent, out string? reason)
    {
        featureEvent = null;
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            reason = "envelope is not an object";
            return false;
        }

        if (Text(envelope, "event_type") != TransactionEventType)
        {
            reason = "not a transaction";
            return false;
        }

        if (!envelope.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            reason = "payload missing";
            return false;
        }

        var eventId = Text(envelope, "event_id");
        var account = Text(payload, "account_id");
        var merchant = Text(payload, "merchant_id");
        var card = Text(payload, "card_id");
        var device = Text(payload, "device_id");
        if (eventId is null || account is null || merchant is null || card is null || device is null)
        {
            reason = "event_id, account_id, merchant_id, card_id or device_id missing";
            return false;
        }

        if (!TryParseUtc(Text(envelope, "ts_utc"), out var ts))
        {
            reason = "ts_utc is not an RFC 3339 UTC timestamp";
            return false;
        }

        if (!payload.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Number
            || !amount.TryGetDecimal(out var major) || major <= 0 || decimal.Round(major, 2) != major)
        {
            reason = "amount is not a positive number with at most two decimals";
            return false;
        }

        featureEvent = new FeatureEvent(eventId, ts, account, merchant, card, device, (long)(major * 100));
        reason = null;
        return true;
    }

    /// <summary>RFC 3339 in UTC ('Z') with 0 to 7 fractional digits, as producers may send it.</summary>
    public static bool TryParseUtc(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is { Length: >= 20 } && text[^1] == 'Z' && text[10] == 'T'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
