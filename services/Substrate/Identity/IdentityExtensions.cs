using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;

namespace Platform.Substrate.Identity;

public static class IdentityExtensions
{
    /// <summary>Policy for endpoints the Dapr sidecar calls (input bindings, actor callbacks).</summary>
    public const string DaprSidecarPolicy = "dapr-sidecar";

    /// <summary>The variable daprd and the app share for the sidecar → app token.</summary>
    public const string AppApiTokenVariable = "APP_API_TOKEN";

    /// <summary>
    /// One authentication and authorization set-up for every writer boundary. The scheme follows
    /// <c>PLATFORM_ENV</c>: local_parity → API keys, dev/prod → JWT; without a valid environment the process refuses
    /// to start. Sidecar-facing endpoints require the app API token when <c>APP_API_TOKEN</c> is set; without it they
    /// stay open in local_parity only, and dev/prod refuse to start. Registers the building blocks it reads secrets with.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformIdentity(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var environment = PlatformEnvironments.FromEnvironment(name => configuration[name]);
        var appApiToken = configuration[AppApiTokenVariable];
        var tokenRequired = !string.IsNullOrEmpty(appApiToken);
        if (!tokenRequired && environment != PlatformEnvironment.LocalParity)
        {
            throw new PlatformStartupException(
                $"{AppApiTokenVariable} is not set; {environment.ToWireName()} refuses to expose sidecar endpoints without the app API token.");
        }

        var mode = environment == PlatformEnvironment.LocalParity ? AuthMode.ApiKey : AuthMode.Jwt;
        var scheme = mode == AuthMode.ApiKey ? ApiKeyAuthenticationHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme;
        var services = builder.Services;
        services.AddPlatformBuildingBlocks();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWriterAuthorizer, RoleWriterAuthorizer>();
        services.TryAddSingleton(SecretRefreshOptions.FromConfiguration(configuration));

        var authentication = services.AddAuthentication(scheme);
        if (mode == AuthMode.ApiKey)
        {
            services.TryAddSingleton<IApiKeyDirectory, SecretStoreApiKeyDirectory>();
            authentication.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        }
        else
        {
            services.TryAddSingleton<SecretStoreJwtSettings>();
            services.AddSingleton<IConfigureOptions<JwtBearerOptions>, PlatformJwtBearerOptionsSetup>();
            authentication.AddJwtBearer();
        }

        if (tokenRequired)
        {
            authentication.AddDapr(options => options.Token = appApiToken!);
        }

        services.AddAuthorization(options =>
        {
            WriterBoundaries.AddPolicies(options);
            if (tokenRequired)
            {
                options.AddDapr(DaprSidecarPolicy);
            }
            else
            {
                // local_parity without APP_API_TOKEN only: daprd calls the app unauthenticated.
                options.AddPolicy(DaprSidecarPolicy, policy => policy.RequireAssertion(_ => true));
            }
        });
        return builder;
    }

    /// <summary>
    /// Authentication then authorization; call after routing, before the endpoints. On an app that maps endpoints
    /// (every platform web app) it also maps <see cref="SecretVersionEndpoint.Path"/>, so each app can be asked which
    /// identity secret versions it uses after a rotation.
    /// </summary>
    public static IApplicationBuilder UsePlatformIdentity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication().UseAuthorization();
        if (app is IEndpointRouteBuilder endpoints)
        {
            SecretVersionEndpoint.Map(endpoints);
        }

        return app;
    }

    /// <summary>Marks endpoints that only the Dapr sidecar calls (input bindings, actor and workflow callbacks).</summary>
    public static TBuilder RequireDaprSidecar<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(DaprSidecarPolicy);
}
