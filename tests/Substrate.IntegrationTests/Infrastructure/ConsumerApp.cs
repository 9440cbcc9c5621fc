using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>One POST the sidecar made to a consumer route and the status the app answered.</summary>
internal sealed record DeliveryAttempt(string Component, byte[] Record, int StatusCode);

/// <summary>
/// An event-bus consumer as a platform service runs one: a Kestrel app that maps Substrate's
/// <see cref="EventBusConsumerEndpoints.MapEventBusConsumer"/> for each of the app's input bindings, behind its own
/// harness sidecar on components/local_parity with the app API token (so the sidecar-only policy is exercised).
/// Every delivery that reaches the handler is recorded with the status the app answered; <see cref="Handler"/>
/// decides what the handler does.
/// </summary>
/// <remarks>
/// The harness registers the input bindings' consumers when it builds them, so once <see cref="StartAsync"/> returns
/// every record published afterwards reaches this app. The consumer names are the real ones (e.g. rtdl-traffic), so
/// records left unconsumed by earlier runs arrive too: tests recognise their own records by a marker and the default
/// handler accepts everything else.
/// </remarks>
internal sealed class ConsumerApp : IAsyncDisposable
{
    private const string AttemptKey = "consumer-app.record";

    private readonly ConcurrentQueue<DeliveryAttempt> _attempts = new();
    private WebApplication? _app;

    private ConsumerApp(HarnessInstance sidecar) => Sidecar = sidecar;

    public HarnessInstance Sidecar { get; }

    /// <summary>Runs inside Substrate's consumer endpoint; throw to make it answer 500. Accepts everything by default.</summary>
    public Func<EventBusDelivery, Task> Handler { get; set; } = _ => Task.CompletedTask;

    public IReadOnlyList<DeliveryAttempt> Attempts => [.. _attempts];

    public static async Task<ConsumerApp> StartAsync(string appId, IReadOnlyList<EventStream> streams)
    {
        var port = FreePort.Next();
        var token = Guid.NewGuid().ToString("N");
        var sidecar = await HarnessInstance.StartAsync(
            appId, appPort: port, environment: new Dictionary<string, string> { ["APP_API_TOKEN"] = token });
        var consumer = new ConsumerApp(sidecar);
        try
        {
            consumer._app = await PlatformApp.StartAsync(
                port,
                sidecar,
                token,
                builder => builder.Services.AddHttpContextAccessor(),
                app =>
                {
                    app.Use(async (context, next) =>
                    {
                        await next(context);
                        if (context.Items[AttemptKey] is HandledRecord handled)
                        {
                            consumer._attempts.Enqueue(new DeliveryAttempt(handled.Component, handled.Record, context.Response.StatusCode));
                        }
                    });
                    foreach (var stream in streams)
                    {
                        app.MapEventBusConsumer(stream, appId, (delivery, _) =>
                        {
                            var http = delivery.Services.GetRequiredService<IHttpContextAccessor>().HttpContext!;
                            http.Items[AttemptKey] = new HandledRecord(delivery.Component, delivery.Record.ToArray());
                            return consumer.Handler(delivery);
                        });
                    }
                });
            await WaitUntilReadyAsync(sidecar);
        }
        catch
        {
            await consumer.DisposeAsync();
            throw;
        }

        return consumer;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the recorded attempts, failing after <paramref name="seconds"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<DeliveryAttempt>, bool> condition, string what, int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition(Attempts))
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"timed out after {seconds}s waiting for {what}; the app saw {Attempts.Count} deliveries");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The sidecar first, so nothing is delivered to a stopped app.
        await Sidecar.DisposeAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed record HandledRecord(string Component, byte[] Record);

    // The sidecar reports healthy once start-up completed, which includes reaching the app (daprd's inbound health).
    private static async Task WaitUntilReadyAsync(HarnessInstance sidecar)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await sidecar.Client.CheckHealthAsync(timeout.Token))
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
