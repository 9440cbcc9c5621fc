namespace Platform.Substrate.Errors;

/// <summary>
/// A service refuses to start: its environment profile, release id or wiring config is missing or invalid.
/// Thrown while the host is composed so the process exits before it serves anything.
/// </summary>
public sealed class PlatformStartupException : Exception
{
    public PlatformStartupException(string message)
        : base(message)
    {
    }
}
