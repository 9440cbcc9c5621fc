using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Platform.Substrate.Errors;

namespace IngestionGate.Domain;

/// <summary>
/// IG's reading of a request body: strict JSON nested at most <see cref="MaxDepth"/> deep. Duplicate member names
/// parse here and make the event a quarantine (UNREADABLE), so the producer still gets a receipt.
/// </summary>
public static class JsonBody
{
    public const int MaxDepth = 64;

    /// <summary>The parsed document (the caller disposes it; it reads from <paramref name="body"/>), or why not.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error) =>
        JsonRequestBody.TryParse(body, MaxDepth, allowDuplicateMembers: true, out document, out error);
}
