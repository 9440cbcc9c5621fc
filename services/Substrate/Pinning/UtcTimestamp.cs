using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Substrate.Pinning;

/// <summary>
/// The one timestamp format of every contract: RFC 3339, UTC, exactly six fractional digits, <c>Z</c>
/// (<c>2026-11-27T21:35:03.123456Z</c>). Finer ticks are truncated, so formatting is stable across a round trip.
/// </summary>
public static class UtcTimestamp
{
    public const string Pattern = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";

    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>The timestamp in UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TicksPerMicrosecond), TimeSpan.Zero);
    }

    public static string Format(DateTimeOffset value) =>
        Truncate(value).ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Parses exactly the contract format; anything else (offsets, other precisions) fails.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);

    public static DateTimeOffset Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not an RFC 3339 UTC timestamp with microseconds (e.g. 2026-11-27T21:35:03.123456Z).");
}

/// <summary>Writes and reads <see cref="DateTimeOffset"/> in the <see cref="UtcTimestamp"/> format; put it on every timestamp property.</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && UtcTimestamp.TryParse(reader.GetString(), out var value)
            ? value
            : throw new JsonException("Expected an RFC 3339 UTC timestamp with microseconds (e.g. 2026-11-27T21:35:03.123456Z).");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(UtcTimestamp.Format(value));
    }
}
