using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Substrate.Identity;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>One record delivered by a stream's input binding.</summary>
public sealed record EventBusDelivery(EventStream Stream, string Component, ReadOnlyMemory<byte> Record, IServiceProvider Services);

public static class EventBusConsumerEndpoints
{
    /// <summary>
    /// Maps the input binding <c>eb-&lt;stream&gt;-in-&lt;appId&gt;</c>: Dapr POSTs each record to
    /// <c>/&lt;component&gt;</c> and probes the same route with OPTIONS at start-up to see whether the app listens.
    /// </summary>
    /// <remarks>
    /// The Kinesis binding checkpoints a batch whatever the app answers, so <paramref name="handler"/> must make the
    /// record durable (processed, deduplicated or parked as a dead letter) before it returns. A handler exception
    /// answers 500 so that a Resiliency inbound policy can retry; it is logged, never swallowed into a 2xx.
    /// </remarks>
    public static RouteGroupBuilder MapEventBusConsumer(
        this IEndpointRouteBuilder endpoints, EventStream stream, string appId, Func<EventBusDelivery, CancellationToken, Task> handler)
    {
        var component = PlatformNames.Components.EventBusIn(stream, appId);
        var group = endpoints.MapGroup("/" + component).RequireDaprSidecar();
        group.MapMethods(string.Empty, [HttpMethods.Options], () => TypedResults.Ok());
        group.MapPost(string.Empty, async (HttpContext http, ILoggerFactory loggers) =>
        {
            var ct = http.RequestAborted;
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, ct);
            try
            {
                await handler(new EventBusDelivery(stream, component, buffer.ToArray(), http.RequestServices), ct);
                return Results.Ok();
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                loggers.CreateLogger(typeof(EventBusConsumerEndpoints))
                    .LogError(ex, "Consumer of {Component} failed; answering 500 so the delivery can be retried", component);
                return Results.Problem(
                    statusCode: StatusCodes.Status500InternalServerError,
                    title: "The record was not made durable.");
            }
        });
        return group;
    }
}
