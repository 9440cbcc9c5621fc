using System.Net;
using System.Net.Http.Headers;
using DaprHarness.Resiliency;

namespace DaprHarness.Http;

/// <summary>
/// HTTP service invocation between harnesses, as daprd does it (pkg/api/http/directmessaging.go,
/// pkg/messaging/direct_messaging.go, pkg/api/grpc/daprinternal.go, pkg/channel/http/http_channel.go,
/// release-1.17). The caller's sidecar resolves the target through <see cref="AppRegistry"/>, adds
/// <c>dapr-caller-app-id</c>, <c>dapr-caller-namespace</c> and <c>dapr-callee-app-id</c> and forwards the
/// request to the callee's sidecar, which applies its accessControl list and calls its app.
/// <para>
/// daprd adds those three headers next to any the app sent: the app's <c>Dapr-Caller-App-Id</c> and the sidecar's
/// <c>dapr-caller-app-id</c> are distinct keys of its internal metadata map, and both reach the callee as values of
/// one header (two lines, in Go map order). The harness does the same, app values first, as one comma-separated
/// line (HttpClient folds values; equivalent in HTTP). So the header is only trustworthy
/// with exactly one value; the ACL never uses it (daprd: the mTLS SPIFFE id; harness: the identity the calling
/// harness sends on the sidecar-to-sidecar hop).
/// </para>
/// </summary>
public sealed class ServiceInvocation(HarnessRuntime runtime, AppRegistry registry)
{
    /// <summary>The sidecar-to-sidecar route, standing for daprd's internal gRPC API (CallLocal).</summary>
    public const string InternalRoute = "/dapr-harness/v1/call-local";

    /// <summary>daprd's namespace when NAMESPACE is not set (pkg/security CurrentNamespace).</summary>
    public const string DefaultNamespace = "default";

    private const string CallerAppId = "dapr-caller-app-id";
    private const string CallerNamespace = "dapr-caller-namespace";
    private const string CalleeAppId = "dapr-callee-app-id";

    // The caller's identity on the sidecar-to-sidecar hop (daprd: its certificate); never passed to an app.
    private const string IdentityApp = "x-dapr-harness-identity-app-id";
    private const string IdentityNamespace = "x-dapr-harness-identity-namespace";
    private const string IdentityTrustDomain = "x-dapr-harness-identity-trust-domain";

    // Set by the callee's sidecar when it refuses or fails a call: the gRPC code daprd's CallLocal would return.
    private const string CalleeError = "x-dapr-harness-error";

    /// <summary>daprd's built-in retries for a call without an app Resiliency policy (DaprBuiltInServiceRetries).</summary>
    private static readonly ResiliencyPolicy BuiltInRetries = new(null, new RetryPolicy("DaprBuiltInServiceRetries", false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 3), null);

    private static readonly HashSet<string> HttpVerbs = new(StringComparer.Ordinal) { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH" };

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "te", "trailer",
        "proxy-authorization", "proxy-authenticate",
    };

    private static readonly HttpClient Sidecars = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private string OwnNamespace => runtime.Flags.Namespace ?? DefaultNamespace;

    /// <summary>
    /// Handles <c>/v1.0/invoke/{target}/method/{method}</c> (or the <c>dapr-app-id</c> header form) on the caller's
    /// sidecar. <paramref name="targetId"/> is <c>app</c> or <c>app.namespace</c>.
    /// </summary>
    public async Task InvokeAsync(HttpContext context, string targetId, string method)
    {
        if (!MethodPath.TryNormalize(method, out var normalized, out var problem))
        {
            await DaprApiError.DirectInvoke(targetId, $"rpc error: code = InvalidArgument desc = invalid method: {problem}").WriteAsync(context.Response);
            return;
        }

        var items = targetId.Split('.');
        if (items.Length > 2)
        {
            await DaprApiError.DirectInvoke(targetId, $"invalid app id {targetId}").WriteAsync(context.Response);
            return;
        }

        var appId = items[0];
        var appNamespace = items.Length == 2 ? items[1] : OwnNamespace;
        var request = await BufferedRequest.ReadAsync(context.Request, normalized, context.RequestAborted);

        if (appId == runtime.Flags.AppId && appNamespace == OwnNamespace)
        {
            // daprd short-circuits a call to its own app: no registry, no ACL, no caller headers.
            if (!runtime.App.HasApp)
            {
                await DaprApiError.DirectInvoke(targetId, "cannot invoke local endpoint: app channel not initialized").WriteAsync(context.Response);
                return;
            }

            try
            {
                await (await SendToAppAsync(request, context.RequestAborted)).WriteAsync(context.Response);
            }
            catch (HttpRequestException e)
            {
                await DaprApiError.DirectInvoke(targetId, e.Message).WriteAsync(context.Response);
            }

            return;
        }

        SidecarAddress? address;
        try
        {
            address = await registry.ResolveAsync(appId, appNamespace, context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await DaprApiError.DirectInvoke(targetId, $"name resolution failed: {e.Message}").WriteAsync(context.Response);
            return;
        }

        if (address is null)
        {
            // The mDNS resolver's answer for an app nobody registered.
            await DaprApiError.DirectInvoke(targetId, $"couldn't find service: {appId}").WriteAsync(context.Response);
            return;
        }

        await ForwardAsync(context, targetId, appId, address, request);
    }

    /// <summary>The callee's side of <see cref="InternalRoute"/>: accessControl, then the app.</summary>
    public async Task CallLocalAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var caller = new CallerIdentity(headers[IdentityApp].ToString(), headers[IdentityNamespace].ToString(), headers[IdentityTrustDomain].ToString());
        if (caller.AppId.Length == 0)
        {
            await RefuseAsync(context, "InvalidArgument", "the sidecar-to-sidecar request carries no caller identity");
            return;
        }

        if (!runtime.App.HasApp)
        {
            await RefuseAsync(context, "Internal", "app channel is not initialized");
            return;
        }

        var path = RawPath(context);
        var method = path.Length > InternalRoute.Length ? Uri.UnescapeDataString(path[(InternalRoute.Length + 1)..]) : "";
        if (!MethodPath.TryNormalize(method, out var normalized, out var problem))
        {
            await RefuseAsync(context, "InvalidArgument", $"invalid method: {problem}");
            return;
        }

        var verb = context.Request.Method.ToUpperInvariant();
        var aclVerb = HttpVerbs.Contains(verb) ? verb : null;
        if (!runtime.Configuration.AccessControl.Allows(caller, normalized, aclVerb))
        {
            await RefuseAsync(context, "PermissionDenied", AccessControlList.DeniedMessage(caller, normalized, aclVerb));
            return;
        }

        var request = await BufferedRequest.ReadAsync(context.Request, normalized, context.RequestAborted);
        RelayedResponse response;
        try
        {
            response = await SendToAppAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await RefuseAsync(context, "Internal", $"error invoking app channel: {e.Message}");
            return;
        }

        await response.WriteAsync(context.Response);
    }

    private async Task ForwardAsync(HttpContext context, string targetId, string appId, SidecarAddress address, BufferedRequest request)
    {
        var appPolicy = runtime.Context.Resiliency.App(targetId);
        var hasAppPolicy = appPolicy != ResiliencyPolicy.None;
        RelayedResponse? answer = null;
        var failure = await (hasAppPolicy ? appPolicy : BuiltInRetries).ExecuteAsync(async attempt =>
        {
            answer = null;
            using var message = ToCallee(request, appId, address);
            RelayedResponse response;
            try
            {
                using var sent = await Sidecars.SendAsync(message, attempt);
                response = await RelayedResponse.ReadAsync(sent, attempt);
            }
            catch (HttpRequestException e)
            {
                throw new SidecarUnreachableException(e.Message, e);
            }

            if (response.Header(CalleeError) is { } code)
            {
                // Only transport failures are retried without an app policy; refusals of the callee are final.
                answer = response;
                if (hasAppPolicy)
                {
                    throw new UnsuccessfulAnswerException(code);
                }

                return;
            }

            answer = response;
            if (hasAppPolicy && response.StatusCode is < 200 or > 399)
            {
                // An app Resiliency policy retries unsuccessful app responses (no status-code matching here).
                throw new UnsuccessfulAnswerException(response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }, runtime.Context.Clock, context.RequestAborted);

        if (answer?.Header(CalleeError) is { } error)
        {
            var status = error == "PermissionDenied" ? StatusCodes.Status403Forbidden : StatusCodes.Status500InternalServerError;
            await DaprApiError.DirectInvoke(targetId, $"rpc error: code = {error} desc = {answer.Text()}", status).WriteAsync(context.Response);
        }
        else if (answer is not null && failure is null or UnsuccessfulAnswerException)
        {
            await answer.WriteAsync(context.Response);
        }
        else
        {
            var reason = failure switch
            {
                OperationCanceledException => "context deadline exceeded",
                SidecarUnreachableException when !hasAppPolicy => $"failed to invoke target {appId} after {BuiltInRetries.Retry!.MaxRetries} retries. Error: {failure.Message}",
                _ => failure?.Message ?? "no response",
            };
            await DaprApiError.DirectInvoke(targetId, reason).WriteAsync(context.Response);
        }
    }

    private HttpRequestMessage ToCallee(BufferedRequest request, string appId, SidecarAddress address)
    {
        var message = request.ToMessage(new Uri($"http://{address.Host}:{address.HttpPort}{InternalRoute}{request.PathAndQuery}"), _ => true);
        message.Headers.TryAddWithoutValidation(IdentityApp, runtime.Flags.AppId);
        message.Headers.TryAddWithoutValidation(IdentityNamespace, OwnNamespace);
        message.Headers.TryAddWithoutValidation(IdentityTrustDomain, runtime.Configuration.AccessControl.TrustDomain);
        message.Headers.TryAddWithoutValidation(CallerNamespace, OwnNamespace);
        message.Headers.TryAddWithoutValidation(CallerAppId, runtime.Flags.AppId);
        message.Headers.TryAddWithoutValidation(CalleeAppId, appId);
        return message;
    }

    /// <summary>
    /// The app channel request: <c>VERB /method?query</c> with the caller's headers, except hop-by-hop ones,
    /// <c>destination-app-id</c> and binary gRPC metadata; <c>grpc-*</c> names get a <c>dapr-</c> prefix
    /// (InternalMetadataToHTTPHeader). The app API token, when configured, replaces any token the caller sent.
    /// </summary>
    private async Task<RelayedResponse> SendToAppAsync(BufferedRequest request, CancellationToken cancellationToken)
    {
        var client = runtime.App.Client;
        var appToken = client.DefaultRequestHeaders.Contains(DaprApiToken.Header);
        using var message = request.ToMessage(new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + request.PathAndQuery), name =>
            !name.StartsWith("x-dapr-harness-", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("destination-app-id", StringComparison.OrdinalIgnoreCase)
            && !name.EndsWith("-bin", StringComparison.OrdinalIgnoreCase)
            && !(appToken && name.Equals(DaprApiToken.Header, StringComparison.OrdinalIgnoreCase)));
        using var response = await client.SendAsync(message, cancellationToken);
        return await RelayedResponse.ReadAsync(response, cancellationToken);
    }

    private static async Task RefuseAsync(HttpContext context, string grpcCode, string message)
    {
        context.Response.StatusCode = grpcCode == "PermissionDenied" ? StatusCodes.Status403Forbidden : StatusCodes.Status500InternalServerError;
        context.Response.Headers[CalleeError] = grpcCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message);
    }

    /// <summary>The request path as sent, before ASP.NET Core's partial decoding (it keeps %2F encoded, Go does not).</summary>
    internal static string RawPath(HttpContext context)
    {
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? target[..query] : target;
    }

    internal static bool IsHopByHop(string name, ISet<string> nominated) =>
        HopByHop.Contains(name) || nominated.Contains(name) || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-length", StringComparison.OrdinalIgnoreCase);

    private sealed class SidecarUnreachableException(string message, Exception inner) : Exception(message, inner);

    /// <summary>An answer an app Resiliency policy retries: a refusal of the callee's sidecar or a non-2xx/3xx app status.</summary>
    private sealed class UnsuccessfulAnswerException(string code) : Exception(code);
}

/// <summary>An incoming request held in memory so it can be forwarded (and replayed by retries).</summary>
internal sealed record BufferedRequest(string Verb, string Method, string Query, IReadOnlyList<KeyValuePair<string, string[]>> Headers, string? ContentType, byte[] Body)
{
    public static async Task<BufferedRequest> ReadAsync(HttpRequest request, string method, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        var nominated = request.Headers.Connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var headers = request.Headers
            .Where(h => !ServiceInvocation.IsHopByHop(h.Key, nominated) && !h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key, h.Value.Select(v => v ?? "").ToArray()))
            .ToList();
        return new BufferedRequest(request.Method.ToUpperInvariant(), method, request.QueryString.Value ?? "", headers, request.ContentType, body.ToArray());
    }

    /// <summary><c>/method?query</c>, each path segment escaped (the method is decoded), as daprd builds the app URL.</summary>
    public string PathAndQuery =>
        (Method.StartsWith('/') ? "" : "/") + string.Join('/', Method.Split('/').Select(Uri.EscapeDataString)) + Query;

    public HttpRequestMessage ToMessage(Uri uri, Func<string, bool> keep)
    {
        var message = new HttpRequestMessage(new HttpMethod(Verb), uri);
        foreach (var (name, values) in Headers.Where(h => keep(h.Key)))
        {
            var target = name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase) ? "dapr-" + name : name;
            message.Headers.TryAddWithoutValidation(target, values);
        }

        if (Body.Length > 0 || ContentType is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return message;
    }
}

/// <summary>A response read in full, to be written back to the caller unchanged except for hop-by-hop headers.</summary>
internal sealed record RelayedResponse(int StatusCode, IReadOnlyList<KeyValuePair<string, string[]>> Headers, MediaTypeHeaderValue? ContentType, byte[] Body)
{
    public static async Task<RelayedResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var nominated = response.Headers.Connection.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !ServiceInvocation.IsHopByHop(h.Key, nominated) && !h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray()))
            .ToList();
        return new RelayedResponse((int)response.StatusCode, headers, response.Content.Headers.ContentType, body);
    }

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public string Text() => System.Text.Encoding.UTF8.GetString(Body);

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = StatusCode;
        foreach (var (name, values) in Headers)
        {
            response.Headers.Append(name, values);
        }

        if (ContentType is not null)
        {
            response.ContentType = ContentType.ToString();
        }

        await response.Body.WriteAsync(Body);
    }
}
