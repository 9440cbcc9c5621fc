using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Platform.Substrate.Errors;

/// <summary>
/// The checks every JSON body passes before anything reads it: media type <c>application/json</c> (charset absent
/// or UTF-8, else 415) and a size limit (413, enforced on the declared length and on the bytes actually sent); then
/// strict parsing (RFC 8259: UTF-8 without BOM, no comments, no trailing commas, one value, bounded nesting), where a
/// failure is a bad request (400).
/// </summary>
public static class JsonRequestBody
{
    /// <summary>
    /// The parsed document (the caller disposes it; it reads from <paramref name="body"/>), or why not. Services that
    /// must see exactly one value per member refuse duplicate member names here (I-JSON); IG instead parses them and
    /// quarantines the event, so the producer gets a receipt.
    /// </summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> body, int maxDepth, bool allowDuplicateMembers, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
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
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = allowDuplicateMembers });
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            error = $"The body is not valid JSON: {exception.Message}";
            return false;
        }
    }

    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PlatformProblemException(PlatformProblems.UnsupportedMediaType, "Send the body as application/json (UTF-8).");
        }

        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        // Kestrel then refuses a longer chunked body as it streams in, before it is buffered here.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }
    }

    private static PlatformProblemException TooLarge(long maxBytes) =>
        new(PlatformProblems.PayloadTooLarge, $"The body exceeds {maxBytes} bytes.");
}
