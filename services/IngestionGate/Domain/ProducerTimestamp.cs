using System.Globalization;

namespace IngestionGate.Domain;

/// <summary>
/// Timestamps producers send: RFC 3339 UTC with <c>Z</c> and 0 to 6 fractional digits, a real calendar instant.
/// IG is lenient here and strict in what it writes (<see cref="Platform.Substrate.Pinning.UtcTimestamp"/>, 6 digits).
/// </summary>
internal static class ProducerTimestamp
{
    private static readonly string[] Formats =
    [
        .. Enumerable.Range(0, 7).Select(digits => digits == 0
            ? "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'"
            : $"yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'{new string('f', digits)}'Z'"),
    ];

    public static bool TryParse(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
}
