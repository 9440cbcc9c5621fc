using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Testing;

namespace DaprHarness.Tests;

/// <summary>One request a sidecar made to the app; header names are lower-cased.</summary>
internal sealed record AppRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string[]> Headers, string? ContentType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real ASP.NET Core app on a loopback port, the app behind a harness: it records every request and answers as
/// <see cref="Respond"/> says (200 without a body unless told otherwise).
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AppRequest> _requests = new();

    private TestApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Writes the answer to a request (called once per request, after it is recorded).</summary>
    public Func<AppRequest, HttpResponse, Task> Respond { get; set; } = (_, _) => Task.CompletedTask;

    public IReadOnlyList<AppRequest> Requests => [.. _requests];

    public static async Task<TestApp> StartAsync(Func<AppRequest, HttpResponse, Task>? respond = null)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var web = builder.Build();
        var app = new TestApp(web, port);
        if (respond is not null)
        {
            app.Respond = respond;
        }

        web.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = new AppRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray()),
                context.Request.ContentType,
                body.ToArray());
            app._requests.Enqueue(request);
            await app.Respond(request, context.Response);
        });
        await web.StartAsync();
        return app;
    }

    /// <summary>Answers every request with the status code <paramref name="status"/> picks and no body.</summary>
    public void RespondWithStatus(Func<AppRequest, int> status) => Respond = (request, response) =>
    {
        response.StatusCode = status(request);
        return Task.CompletedTask;
    };

    public IReadOnlyList<AppRequest> Posts(string path) => [.. _requests.Where(r => r.Method == "POST" && r.Path == path)];

    /// <summary>Bodies POSTed to <paramref name="path"/>, in arrival order.</summary>
    public IReadOnlyList<string> Bodies(string path) => [.. Posts(path).Select(r => r.Text)];

    /// <summary>Waits until <paramref name="condition"/> holds, failing the test after <paramref name="seconds"/>.</summary>
    public Task WaitUntilAsync(Func<TestApp, bool> condition, string what, int seconds = 30) =>
        Poll.UntilAsync(() => condition(this), what, TimeSpan.FromSeconds(seconds),
            () => "; the app saw:\n" + string.Join("\n", Requests.Select(r => $"  {r.Method} {r.Path} {r.Text}")));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
