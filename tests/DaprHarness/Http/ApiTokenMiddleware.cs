namespace DaprHarness.Http;

/// <summary>The Dapr API token (DAPR_API_TOKEN) every app → sidecar call must carry in <c>dapr-api-token</c>, when set.</summary>
public sealed record DaprApiToken(string? Value)
{
    public const string Header = "dapr-api-token";
}

/// <summary>
/// daprd's HTTP API token check (pkg/api/http/middlewares.go APITokenAuthMiddleware, release-1.17): without the
/// right token any route except <c>GET /v1.0/healthz</c> and <c>GET /v1.0/healthz/outbound</c> answers
/// <c>401 invalid api token</c> as plain text; with it, the header is removed before the request goes on, so it is
/// never forwarded to another app. The harness's sidecar-to-sidecar route stands for daprd's internal gRPC port,
/// which the API token does not cover.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, DaprApiToken token, HarnessRuntime runtime)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (token.Value is null || context.Connection.LocalPort != runtime.Flags.DaprHttpPort
            || context.Request.Path.StartsWithSegments(ServiceInvocation.InternalRoute, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[DaprApiToken.Header].FirstOrDefault();
        if (presented != token.Value && !IsExempt(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            await context.Response.WriteAsync("invalid api token\n");
            return;
        }

        context.Request.Headers.Remove(DaprApiToken.Header);
        await next(context);
    }

    private static bool IsExempt(HttpRequest request)
    {
        var path = request.Path.Value?.Trim('/');
        return HttpMethods.IsGet(request.Method) && path is "v1.0/healthz" or "v1.0/healthz/outbound";
    }
}
