using System.Globalization;

namespace Platform.Substrate.Pinning;

/// <summary>
/// <c>platform_run_id</c> = <c>platform_YYYYMMDDTHHMMSSZ</c> (CONTRACTS §1): the run id for dedupe, receipts,
/// evidence paths, labels and governance facts.
/// </summary>
public static class PlatformRunId
{
    private const string Prefix = "platform_";
    private const string TimePattern = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The run id for a run started at <paramref name="startedAt"/> (whole seconds, UTC).</summary>
    public static string Mint(DateTimeOffset startedAt) =>
        Prefix + startedAt.ToUniversalTime().ToString(TimePattern, CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="value"/> has the exact form and names a real UTC instant.</summary>
    public static bool IsValid(string? value) =>
        value is not null
        && value.StartsWith(Prefix, StringComparison.Ordinal)
        && value.Length == Prefix.Length + 16
        && DateTime.TryParseExact(value.AsSpan(Prefix.Length), TimePattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
