using System.Globalization;
using Microsoft.Extensions.Configuration;
using Platform.Substrate.Errors;

namespace Platform.Substrate.Identity;

/// <summary>
/// How long identity secrets (API-key allowlist, JWT signing keys) are held before they are read again, so rotated
/// credentials are picked up without a restart. <see cref="MaxAge"/> bounds how long a retired credential keeps
/// working; <see cref="MinRefreshInterval"/> bounds how often an unknown credential may force an early re-read, so a
/// flood of bad keys cannot turn into a flood of secret-store reads.
/// </summary>
public sealed record SecretRefreshOptions(TimeSpan MaxAge, TimeSpan MinRefreshInterval)
{
    /// <summary>Seconds a loaded identity secret stays in use (default 30).</summary>
    public const string MaxAgeVariable = "PLATFORM_SECRET_MAX_AGE_SECONDS";

    /// <summary>Seconds between two re-reads forced by an unknown key or key id (default 5; 0 = every miss).</summary>
    public const string MinRefreshVariable = "PLATFORM_SECRET_MIN_REFRESH_SECONDS";

    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultMinRefreshInterval = TimeSpan.FromSeconds(5);

    public static SecretRefreshOptions Default { get; } = new(DefaultMaxAge, DefaultMinRefreshInterval);

    /// <summary>Reads both variables; a malformed or inconsistent value refuses to start.</summary>
    public static SecretRefreshOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var maxAge = Seconds(configuration, MaxAgeVariable, DefaultMaxAge, allowZero: false);
        var minRefresh = Seconds(configuration, MinRefreshVariable, DefaultMinRefreshInterval, allowZero: true);
        if (minRefresh > maxAge)
        {
            throw new PlatformStartupException($"{MinRefreshVariable} ({minRefresh.TotalSeconds} s) must not exceed {MaxAgeVariable} ({maxAge.TotalSeconds} s).");
        }

        return new SecretRefreshOptions(maxAge, minRefresh);
    }

    private static TimeSpan Seconds(IConfiguration configuration, string name, TimeSpan fallback, bool allowZero)
    {
        var raw = configuration[name];
        if (string.IsNullOrEmpty(raw))
        {
            return fallback;
        }

        // An upper bound of one day: longer would make "rotation without restart" meaningless.
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && (seconds > 0 || (allowZero && seconds == 0)) && seconds <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new PlatformStartupException($"{name}='{raw}' must be a whole number of seconds between {(allowZero ? 0 : 1)} and 86400.");
    }
}
