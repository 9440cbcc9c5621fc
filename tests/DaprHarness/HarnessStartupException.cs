namespace DaprHarness;

/// <summary>
/// Stops the harness at start-up. Carries the resource file and field when the problem is in a YAML resource,
/// so the message always says where to look.
/// </summary>
public sealed class HarnessStartupException : Exception
{
    public HarnessStartupException(string message) : base(message)
    {
    }

    public HarnessStartupException(string message, Exception inner) : base(message, inner)
    {
    }

    public HarnessStartupException(string file, string field, string problem)
        : base($"{file}: {field}: {problem}")
    {
        File = file;
        Field = field;
    }

    public string? File { get; }

    public string? Field { get; }
}
