using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;

namespace IngestionGate.Domain;

/// <summary>
/// Parses a request body as strict JSON (RFC 8259: UTF-8 without BOM, no comments, no trailing commas, one value,
/// nesting at most <see cref="MaxDepth"/>). A body that fails is a bad request (400), never a quarantine.
/// </summary>
public static class JsonBody
{
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = MaxDepth };

    /// <summary>The parsed document (the caller disposes it; it reads from <paramref name="body"/>), or why not.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
    {
        document = null;
        // System.Text.Json checks UTF-8 only when a string is read; check it up front so bad bytes are a 400 too.
        if (!Utf8.IsValid(body.Span))
        {
            error = "The body is not valid UTF-8.";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(body, Strict);
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            error = $"The body is not valid JSON: {exception.Message}";
            return false;
        }
    }
}
