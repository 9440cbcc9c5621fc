using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platformctl.Tests;

/// <summary>One request a stand-in received, exactly as the CLI put it on the wire.</summary>
public sealed record ReceivedRequest(int Call, string Method, string Path, string? ApiKey, string? ContentType, string Body);

/// <summary>What a stand-in answers: a status, a JSON body and optionally a Retry-After (seconds).</summary>
public sealed record Answer(int Status, string Body, int? RetryAfterSeconds = null)
{
    public static Answer Problem(int status, string title, int? retryAfterSeconds = null) =>
        new(status, JsonSerializer.Serialize(new { type = "about:blank", title, status }), retryAfterSeconds);

    public static Answer Json(int status, object body) => new(status, JsonSerializer.Serialize(body));
}

/// <summary>
/// A small real HTTP server (Kestrel on 127.0.0.1, a free port) that records every request and answers it with
/// <c>answer</c>: the one stand-in the service-specific ones (IG, cm, the job endpoints) are built on.
/// </summary>
public sealed class StandInServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedRequest> received = new();
    private readonly Func<ReceivedRequest, Answer> answer;
    private int calls;

    private StandInServer(WebApplication app, Func<ReceivedRequest, Answer> answer)
    {
        this.app = app;
        this.answer = answer;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received => [.. received.OrderBy(r => r.Call)];

    public static async Task<StandInServer> StartAsync(Func<ReceivedRequest, Answer> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new StandInServer(app, answer);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.BaseUrl = new Uri(app.Urls.Single());
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var request = new ReceivedRequest(
            Interlocked.Increment(ref calls),
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers["X-Api-Key"].SingleOrDefault(),
            context.Request.ContentType,
            await reader.ReadToEndAsync(context.RequestAborted));
        received.Enqueue(request);
        var reply = answer(request);
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.Status < 300 ? "application/json" : "application/problem+json";
        if (reply.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }
}

/// <summary>
/// A batch endpoint on a <see cref="StandInServer"/>: each request is read as a batch, a test's script may answer it,
/// else one default result per item, in order (an item override can answer single items instead).
/// </summary>
public abstract class BatchStandIn<TBatch> : IAsyncDisposable
{
    private StandInServer? server;

    public Uri BaseUrl => Server.BaseUrl;

    public IReadOnlyList<TBatch> Received => [.. Server.Received.Select(ReadBatch)];

    private StandInServer Server => server ?? throw new InvalidOperationException("The stand-in is not started.");

    /// <summary>The default answer: one result per item, in order; <paramref name="overrideItem"/> may answer an item instead.</summary>
    public Answer Results(TBatch batch, Func<int, string, object?>? overrideItem = null)
    {
        var results = ItemsOf(batch).Select((item, index) => overrideItem?.Invoke(index, item) ?? Decide(index, item)).ToList();
        return Answer.Json(200, new { results });
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts listening; <paramref name="script"/> returns null to let the default answer.</summary>
    protected async Task ListenAsync(Func<TBatch, Answer?> script)
    {
        ArgumentNullException.ThrowIfNull(script);
        server = await StandInServer.StartAsync(request =>
        {
            var batch = ReadBatch(request);
            return script(batch) ?? Results(batch);
        });
    }

    protected abstract TBatch ReadBatch(ReceivedRequest request);

    /// <summary>What identifies each item to <see cref="Decide"/> and to item overrides.</summary>
    protected abstract IReadOnlyList<string> ItemsOf(TBatch batch);

    protected abstract object Decide(int index, string item);

    /// <summary>The raw JSON of each element of a request's array body.</summary>
    protected static IReadOnlyList<string> RawItems(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var document = JsonDocument.Parse(request.Body);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetRawText())];
    }
}
