using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Platform.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprHarness.Tests.Bindings;

/// <summary>One request the sidecar made to the app.</summary>
internal sealed record AppRequest(string Method, string Path, string? ContentType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real ASP.NET Core app on a loopback port that records every request the harness sends it and answers with the
/// status code <see cref="Respond"/> picks (200 unless told otherwise).
/// </summary>
internal sealed class BindingTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AppRequest> _requests = new();

    private BindingTestApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Chooses the status code for a request (called once per request, in arrival order per connection).</summary>
    public Func<AppRequest, int> Respond { get; set; } = _ => StatusCodes.Status200OK;

    public IReadOnlyList<AppRequest> Requests => [.. _requests];

    public IReadOnlyList<AppRequest> Posts(string path) => [.. _requests.Where(r => r.Method == "POST" && r.Path == path)];

    /// <summary>Bodies POSTed to <paramref name="path"/>, in arrival order.</summary>
    public IReadOnlyList<string> Bodies(string path) => [.. Posts(path).Select(r => r.Text)];

    public static async Task<BindingTestApp> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var web = builder.Build();
        var app = new BindingTestApp(web, port);
        web.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = new AppRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentType, body.ToArray());
            app._requests.Enqueue(request);
            context.Response.StatusCode = app.Respond(request);
        });
        await web.StartAsync();
        return app;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing the test after <paramref name="seconds"/>.</summary>
    public async Task WaitUntilAsync(Func<BindingTestApp, bool> condition, string what, int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition(this))
        {
            if (timeout.IsCancellationRequested)
            {
                var seen = string.Join("\n", Requests.Select(r => $"  {r.Method} {r.Path} {r.Text}"));
                Assert.Fail($"timed out after {seconds}s waiting for {what}; the app saw:\n{seen}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
