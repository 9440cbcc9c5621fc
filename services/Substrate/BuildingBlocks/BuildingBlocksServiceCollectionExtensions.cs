using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Substrate.BuildingBlocks;

public static class BuildingBlocksServiceCollectionExtensions
{
    /// <summary>The state store components an app may ask for by key (<c>[FromKeyedServices("ig-admission")]</c>).</summary>
    public static readonly IReadOnlyList<string> StateStoreComponents =
    [
        PlatformNames.Components.IgAdmission,
        PlatformNames.Components.RtdlState,
        PlatformNames.Components.CmStore,
        PlatformNames.Components.MprStore,
    ];

    /// <summary>
    /// Registers the DaprClient and the building blocks over it: <see cref="IEventBus"/>, <see cref="IObjectStore"/>,
    /// <see cref="ISecretReader"/> and one keyed <see cref="DaprStateStore"/> per state store component. Component
    /// scopes decide which of them an app can actually reach.
    /// </summary>
    public static IServiceCollection AddPlatformBuildingBlocks(this IServiceCollection services)
    {
        services.AddDaprClient();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEventBus>(sp => new DaprEventBus(sp.GetRequiredService<DaprClient>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IObjectStore>(sp => new DaprObjectStore(sp.GetRequiredService<DaprClient>()));
        services.TryAddSingleton<ISecretReader>(sp => new DaprSecrets(sp.GetRequiredService<DaprClient>()));
        foreach (var component in StateStoreComponents)
        {
            services.TryAddKeyedSingleton(component, (sp, _) => new DaprStateStore(sp.GetRequiredService<DaprClient>(), component));
        }

        return services;
    }
}
