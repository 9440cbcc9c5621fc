namespace DaprHarness.Http;

/// <summary>The part of daprd's HTTP API that Dapr.Client and apps use.</summary>
public static class DaprHttpApi
{
    public static RouteGroupBuilder MapDaprHttpApi(this IEndpointRouteBuilder endpoints, HarnessRuntime runtime)
    {
        var api = endpoints.MapGroup("/v1.0");
        api.MapGet("/healthz", () => Results.NoContent());
        api.MapGet("/healthz/outbound", () => Results.NoContent());
        _ = runtime;
        return api;
    }
}
