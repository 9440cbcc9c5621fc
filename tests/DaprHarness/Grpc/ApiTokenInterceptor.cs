using System.Globalization;
using DaprHarness.Http;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DaprHarness.Grpc;

/// <summary>
/// daprd's gRPC API token check (pkg/api/grpc/auth.go, release-1.17), applied to every gRPC service of the sidecar
/// (runtime API and workflows). A missing or wrong <c>dapr-api-token</c> fails with Unauthenticated, status message
/// "Unauthorized" and an ErrorInfo detail carrying the HTTP code and the reason, as
/// pkg/messaging/v1/util.go ErrorFromHTTPResponseCode builds it.
/// </summary>
public sealed class ApiTokenInterceptor(DaprApiToken token) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (token.Value is null)
        {
            return;
        }

        var presented = context.RequestHeaders.GetValue(DaprApiToken.Header);
        if (presented is null)
        {
            throw Unauthenticated("missing api token in request metadata");
        }

        if (presented != token.Value)
        {
            throw Unauthenticated("authentication error: api token mismatch");
        }
    }

    private static RpcException Unauthenticated(string detail)
    {
        const string text = "Unauthorized";
        return DaprGrpcError.Rich(StatusCode.Unauthenticated, text, text, new Dictionary<string, string>
        {
            ["http.code"] = StatusCodes.Status401Unauthorized.ToString(CultureInfo.InvariantCulture),
            ["http.error_message"] = detail,
        });
    }
}
