using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Platform.Substrate.Errors;

namespace IngestionGate.Endpoints;

/// <summary>
/// The checks every JSON body passes before anything reads it: media type <c>application/json</c> (charset absent
/// or UTF-8, else 415) and a size limit (413, enforced on the declared length and on the bytes actually sent).
/// </summary>
internal static class JsonRequests
{
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
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
