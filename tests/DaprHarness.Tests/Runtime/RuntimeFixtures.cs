using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DaprHarness.Tests.Runtime;

internal static class AppIds
{
    /// <summary>A lower-case app id no other test run uses (the harness app registry is shared).</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
}

/// <summary>What an <see cref="EchoApp"/> saw of a request.</summary>
internal sealed record EchoedRequest(string Method, string Path, string Query, Dictionary<string, string[]> Headers, string Body)
{
    public string[] Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var values) ? values : [];
}

/// <summary>
/// A <see cref="TestApp"/> that answers every request with what it received (201 and an <c>x-echo</c> header),
/// except <c>/fail</c>, which answers 503 with a plain-text body.
/// </summary>
internal static class EchoApp
{
    public static Task<TestApp> StartAsync() => TestApp.StartAsync(RespondAsync);

    public static async Task<EchoedRequest> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<EchoedRequest>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;

    private static async Task RespondAsync(AppRequest request, HttpResponse response)
    {
        if (request.Path == "/fail")
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.ContentType = "text/plain";
            await response.WriteAsync("app is failing");
            return;
        }

        response.StatusCode = StatusCodes.Status201Created;
        response.Headers["x-echo"] = "1";
        await response.WriteAsJsonAsync(new EchoedRequest(request.Method, request.Path, request.Query, new Dictionary<string, string[]>(request.Headers), request.Text));
    }
}
