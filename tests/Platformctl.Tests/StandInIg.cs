using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platformctl.Tests;

/// <summary>One request the stand-in received: what the producer actually put on the wire.</summary>
public sealed record ReceivedBatch(int Call, string Method, string Path, string? ApiKey, string? ContentType, IReadOnlyList<string> RawEnvelopes)
{
    public IReadOnlyList<string> EventIds { get; } = RawEnvelopes.Select(EventIdOf).ToList();

    private static string EventIdOf(string rawEnvelope)
    {
        using var document = JsonDocument.Parse(rawEnvelope);
        return document.RootElement.GetProperty("event_id").GetString()!;
    }
}

/// <summary>What the stand-in answers: a status, a JSON body and optionally a Retry-After (seconds).</summary>
public sealed record Answer(int Status, string Body, int? RetryAfterSeconds = null)
{
    public static Answer Problem(int status, string title, int? retryAfterSeconds = null) =>
        new(status, JsonSerializer.Serialize(new { type = "about:blank", title, status }), retryAfterSeconds);
}

/// <summary>
/// A small real HTTP server (Kestrel on 127.0.0.1, a free port) playing IG's batch contract: by default every new
/// event_id is ADMIT and a repeated one DUPLICATE, each with a receipt. A script can answer a call differently.
/// </summary>
public sealed class StandInIg : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> admitted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedBatch> received = new();
    private readonly Func<ReceivedBatch, StandInIg, Answer?> script;
    private int calls;

    private StandInIg(WebApplication app, Func<ReceivedBatch, StandInIg, Answer?> script)
    {
        this.app = app;
        this.script = script;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedBatch> Received => received.OrderBy(r => r.Call).ToList();

    /// <summary>Starts a stand-in; <paramref name="script"/> returns null to let the default behaviour answer.</summary>
    public static async Task<StandInIg> StartAsync(Func<ReceivedBatch, StandInIg, Answer?>? script = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new StandInIg(app, script ?? ((_, _) => null));
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.BaseUrl = new Uri(app.Urls.Single());
        return standIn;
    }

    /// <summary>The default answer: one result per envelope, in order.</summary>
    public Answer Results(ReceivedBatch batch, Func<int, string, object?>? overrideItem = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = batch.EventIds.Select((eventId, index) => overrideItem?.Invoke(index, eventId) ?? Decide(index, eventId)).ToList();
        return new Answer(200, JsonSerializer.Serialize(new { results }));
    }

    public static object ItemProblem(int index, string eventId, int status, string title) =>
        new { index, event_id = eventId, status, problem = new { type = "about:blank", title, status } };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private object Decide(int index, string eventId)
    {
        var receipt = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(eventId))[..32];
        var decision = admitted.TryAdd(eventId, receipt) ? "ADMIT" : "DUPLICATE";
        return new { index, event_id = eventId, decision, receipt_id = receipt, reason_codes = Array.Empty<string>() };
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        using var document = JsonDocument.Parse(body);
        var batch = new ReceivedBatch(
            Interlocked.Increment(ref calls),
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers["X-Api-Key"].SingleOrDefault(),
            context.Request.ContentType,
            document.RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList());
        received.Enqueue(batch);
        var answer = script(batch, this) ?? Results(batch);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.Status == 200 ? "application/json" : "application/problem+json";
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }
}
