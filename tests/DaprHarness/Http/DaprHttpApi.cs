using DaprHarness.Grpc;
using Grpc.AspNetCore.Server;

namespace DaprHarness.Http;

/// <summary>The part of daprd's HTTP API that Dapr.Client and apps use (pkg/api/http, release-1.17).</summary>
public static class DaprHttpApi
{
    /// <summary>
    /// Registers what the runtime API needs besides the components: the API token checks (DAPR_API_TOKEN, on
    /// both servers), readiness, the app registry for service invocation and sidecar metadata.
    /// </summary>
    public static IServiceCollection AddDaprRuntimeApi(this IServiceCollection services, Func<string, string?> environment)
    {
        services.AddSingleton(new DaprApiToken(environment("DAPR_API_TOKEN") is { Length: > 0 } token ? token : null));
        services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<ApiTokenInterceptor>());
        services.AddTransient<IStartupFilter, ApiTokenStartupFilter>();
        services.AddSingleton<RuntimeReadiness>();
        services.AddSingleton<ExtendedMetadata>();
        services.AddSingleton<AppRegistry>();
        services.AddSingleton<ServiceInvocation>();
        services.AddHostedService<RuntimeLifecycle>();
        return services;
    }

    public static RouteGroupBuilder MapDaprHttpApi(this IEndpointRouteBuilder endpoints, HarnessRuntime runtime)
    {
        var host = $"*:{runtime.Flags.DaprHttpPort}";
        var api = endpoints.MapGroup("/v1.0");
        api.MapGet("/healthz", Healthz);
        // Outbound health is ready as soon as the API servers listen.
        api.MapGet("/healthz/outbound", () => Results.NoContent());
        api.MapGet("/metadata", (ExtendedMetadata extended) =>
            Results.Bytes(RuntimeMetadata.ToJson(RuntimeMetadata.Build(runtime, extended)), "application/json"));
        api.MapPut("/metadata/{key}", async (string key, HttpRequest request, ExtendedMetadata extended) =>
        {
            using var reader = new StreamReader(request.Body);
            extended.Set(key, await reader.ReadToEndAsync(request.HttpContext.RequestAborted));
            return Results.NoContent();
        });
        api.MapPost("/shutdown", (IHostApplicationLifetime lifetime) =>
        {
            lifetime.StopApplication();
            return Results.NoContent();
        });
        api.Map("/invoke/{**rest}", InvokeByPathAsync);

        // Invocation with the target in the dapr-app-id header (or Basic auth user "dapr-app-id") on any other path.
        endpoints.MapFallback(InvokeByHeaderAsync).RequireHost(host);
        endpoints.Map(ServiceInvocation.InternalRoute + "/{**method}", (HttpContext context, ServiceInvocation invocation) => invocation.CallLocalAsync(context))
            .RequireHost(host);
        return api;
    }

    /// <summary>
    /// 204 once start-up is complete; before that daprd's ERR_HEALTH_NOT_READY. With <c>?appid=</c> naming another
    /// app: ERR_HEALTH_APPID_NOT_MATCH (pkg/api/http/healthz.go).
    /// </summary>
    private static async Task Healthz(HttpContext context, RuntimeReadiness readiness, HarnessRuntime runtime)
    {
        if (!readiness.IsReady)
        {
            await new DaprApiError(500, "ERR_HEALTH_NOT_READY", "dapr is not ready: [runtime]").WriteAsync(context.Response);
            return;
        }

        if (context.Request.Query.TryGetValue("appid", out var appId) && appId.ToString() != runtime.Flags.AppId)
        {
            await new DaprApiError(500, "ERR_HEALTH_APPID_NOT_MATCH", "dapr app-id does not match").WriteAsync(context.Response);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// <c>/v1.0/invoke/{appId}/method/{method}</c>: the target is everything before the first "/method/" of the
    /// decoded path, the method everything after it, cleaned like Go's path.Clean (findTargetIDAndMethod).
    /// </summary>
    private static async Task InvokeByPathAsync(HttpContext context, ServiceInvocation invocation)
    {
        var path = Uri.UnescapeDataString(ServiceInvocation.RawPath(context));
        var rest = path[(path.IndexOf("/invoke/", StringComparison.Ordinal) + "/invoke/".Length)..];
        var split = rest.IndexOf("/method/", StringComparison.Ordinal);
        if (split <= 0)
        {
            await NoAppId().WriteAsync(context.Response);
            return;
        }

        var method = MethodPath.Clean(rest[(split + "/method/".Length)..]);
        await invocation.InvokeAsync(context, rest[..split], method == "." ? "" : method);
    }

    private static async Task InvokeByHeaderAsync(HttpContext context, ServiceInvocation invocation)
    {
        var headers = context.Request.Headers;
        var path = MethodPath.Clean(Uri.UnescapeDataString(ServiceInvocation.RawPath(context))).TrimStart('/');
        if (headers["dapr-app-id"].FirstOrDefault() is { Length: > 0 } appId)
        {
            // The header only addresses the call; daprd removes it before forwarding.
            headers.Remove("dapr-app-id");
            await invocation.InvokeAsync(context, appId, path);
            return;
        }

        if (BasicAuthAppId(headers.Authorization.FirstOrDefault()) is { } basicAppId)
        {
            await invocation.InvokeAsync(context, basicAppId, path);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private static string? BasicAuthAppId(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..])).Split(':');
            return pair.Length == 2 && pair[0].Equals("dapr-app-id", StringComparison.OrdinalIgnoreCase) ? pair[1] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static DaprApiError NoAppId() =>
        new(StatusCodes.Status404NotFound, "ERR_DIRECT_INVOKE", "failed getting app id either from the URL path or the header dapr-app-id");

    private sealed class ApiTokenStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<ApiTokenMiddleware>();
            next(app);
        };
    }
}
