using FeatureStore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Endpoints;

public static class ArchiveConsumers
{
    /// <summary>The streams OFS archives: traffic and context, through <c>eb-traffic-in-ofs</c> and <c>eb-context-in-ofs</c>.</summary>
    public static readonly IReadOnlyList<EventStream> Archived = [PlatformNames.Streams.Traffic, PlatformNames.Streams.Context];

    /// <summary>One input binding route per archived stream; each answers 2xx only once the record is archived or parked.</summary>
    public static IEndpointRouteBuilder MapArchiveConsumers(this IEndpointRouteBuilder endpoints)
    {
        foreach (var stream in Archived)
        {
            endpoints.MapEventBusConsumer(stream, PlatformNames.AppIds.FeatureStore, (delivery, ct) =>
                delivery.Services.GetRequiredService<ArchiveWriter>().HandleAsync(delivery, ct));
        }

        return endpoints;
    }
}
