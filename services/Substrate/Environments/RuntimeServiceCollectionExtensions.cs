using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Substrate.Environments;

public static class RuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>PLATFORM_ENV</c> and <c>SERVICE_RELEASE_ID</c> now, once, and registers the <see cref="PlatformRuntime"/>;
    /// throws <see cref="Errors.PlatformStartupException"/> right here when either is missing or invalid.
    /// </summary>
    public static IServiceCollection AddPlatformRuntime(this IServiceCollection services, string serviceName, Func<string, string?>? readVariable = null) =>
        services.AddPlatformRuntime(PlatformRuntime.FromEnvironment(serviceName, readVariable));

    /// <summary>Registers an already resolved runtime (e.g. one <c>with { PolicyRev = ... }</c>).</summary>
    public static IServiceCollection AddPlatformRuntime(this IServiceCollection services, PlatformRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (services.Any(descriptor => descriptor.ServiceType == typeof(PlatformRuntime)))
        {
            throw new InvalidOperationException("A PlatformRuntime is already registered; read the environment once.");
        }

        services.AddSingleton(runtime);
        services.AddHostedService<RuntimeStartupLog>();
        return services;
    }
}

/// <summary>Says at startup what the process is, and warns when the release id was derived locally.</summary>
internal sealed class RuntimeStartupLog(PlatformRuntime runtime, ILogger<RuntimeStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "Starting {ServiceName} in {Environment}, service_release_id {ServiceReleaseId}, policy_rev {PolicyRev}",
            runtime.ServiceName,
            runtime.Environment.ToWireName(),
            runtime.Release.Id,
            runtime.PolicyRev?.ContentDigest ?? "none");
        if (runtime.Release.Warning is { } warning)
        {
            logger.LogWarning("{ReleaseWarning}", warning);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
