using System.Text.Json.Serialization;
using Platform.Substrate.Errors;

namespace Platform.Substrate.Environments;

/// <summary>The environment profile a process runs in (seed §1). Recorded in every governance fact and manifest.</summary>
/// <remarks>No member is zero, so an uninitialised value never passes for an environment.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<PlatformEnvironment>))]
public enum PlatformEnvironment
{
    [JsonStringEnumMemberName("local_parity")]
    LocalParity = 1,

    [JsonStringEnumMemberName("dev")]
    Dev = 2,

    [JsonStringEnumMemberName("prod")]
    Prod = 3,
}

/// <summary>Reads and names the <see cref="PlatformEnvironment"/>; the wire names are the only accepted spellings.</summary>
public static class PlatformEnvironments
{
    /// <summary>The variable every process reads its environment profile from.</summary>
    public const string VariableName = "PLATFORM_ENV";

    private static readonly KeyValuePair<string, PlatformEnvironment>[] WireNames =
    [
        new("local_parity", PlatformEnvironment.LocalParity),
        new("dev", PlatformEnvironment.Dev),
        new("prod", PlatformEnvironment.Prod),
    ];

    /// <summary>The accepted values of <c>PLATFORM_ENV</c>, in ladder order.</summary>
    public static IReadOnlyList<string> AllowedValues { get; } = [.. WireNames.Select(pair => pair.Key)];

    /// <summary>The name used in JSON, env vars and component folders (<c>local_parity</c>, <c>dev</c>, <c>prod</c>).</summary>
    public static string ToWireName(this PlatformEnvironment environment)
    {
        foreach (var (name, value) in WireNames)
        {
            if (value == environment)
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(environment), environment, "Not a platform environment.");
    }

    /// <summary>Exact, case-sensitive match of a wire name; anything else (including surrounding spaces) fails.</summary>
    public static bool TryParse(string? value, out PlatformEnvironment environment)
    {
        foreach (var (name, candidate) in WireNames)
        {
            if (string.Equals(name, value, StringComparison.Ordinal))
            {
                environment = candidate;
                return true;
            }
        }

        environment = default;
        return false;
    }

    /// <summary>Parses <paramref name="value"/> or refuses to start with a message listing the allowed values.</summary>
    public static PlatformEnvironment Parse(string? value)
    {
        if (TryParse(value, out var environment))
        {
            return environment;
        }

        var allowed = string.Join(", ", AllowedValues);
        throw new PlatformStartupException(string.IsNullOrEmpty(value)
            ? $"{VariableName} is not set. Set it to one of: {allowed}."
            : $"{VariableName}='{value}' is not a platform environment. Allowed values: {allowed}.");
    }

    /// <summary>The environment profile from <c>PLATFORM_ENV</c>; <paramref name="readVariable"/> defaults to the process environment.</summary>
    public static PlatformEnvironment FromEnvironment(Func<string, string?>? readVariable = null) =>
        Parse((readVariable ?? Environment.GetEnvironmentVariable)(VariableName));
}
