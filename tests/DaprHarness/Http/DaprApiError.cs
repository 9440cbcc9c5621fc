using System.Text.Encodings.Web;
using System.Text.Json;

namespace DaprHarness.Http;

/// <summary>
/// daprd's HTTP error body: <c>{"errorCode": "...", "message": "..."}</c> as application/json with the error's HTTP
/// status (pkg/messages/api_error.go JSONErrorValue, pkg/api/http/responses.go respondWithError, release-1.17).
/// </summary>
public sealed record DaprApiError(int StatusCode, string ErrorCode, string Message)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static DaprApiError DirectInvoke(string targetId, string error, int statusCode = StatusCodes.Status500InternalServerError) =>
        new(statusCode, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {targetId}, err: {error}");

    public byte[] Body() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["errorCode"] = ErrorCode,
        ["message"] = Message,
    }, Json);

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Body());
    }
}
