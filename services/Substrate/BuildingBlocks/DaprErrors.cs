using Dapr;
using Grpc.Core;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>
/// Recognises the few sidecar failures that carry a meaning. The sidecar reports most component errors as gRPC
/// <c>Internal</c> with the component's own text appended (dapr/dapr pkg/messages/predefined.go), so the texts
/// below are matched exactly as the components write them (dapr/components-contrib release-1.17/1.18).
/// </summary>
internal static class DaprErrors
{
    // bindings/aws/s3/s3.go (get, delete): NoSuchKey becomes errors.New("object not found").
    private const string ObjectNotFound = "object not found";

    // state/errors.go: every ETag mismatch a store reports starts with this text (gRPC Aborted on a single save,
    // Internal inside a transaction).
    private const string ETagMismatch = "possible etag mismatch";

    // state/postgresql/v2/postgresql.go doSet: a first-write (no ETag) that finds a live row updates nothing.
    private const string FirstWriteLost = "no item was updated";

    public static bool IsObjectNotFound(Exception exception) =>
        RpcStatus(exception) is { StatusCode: StatusCode.Internal } status
        && status.Detail.EndsWith(": " + ObjectNotFound, StringComparison.Ordinal);

    // pkg/messages/predefined.go ErrPermissionDenied: the Configuration's secret scopes deny the secret to this app.
    public static bool IsPermissionDenied(Exception exception) =>
        RpcStatus(exception) is { StatusCode: StatusCode.PermissionDenied };

    public static bool IsStateConflict(Exception exception) =>
        RpcStatus(exception) switch
        {
            { StatusCode: StatusCode.Aborted } => true,
            { StatusCode: StatusCode.Internal } status =>
                status.Detail.Contains(ETagMismatch, StringComparison.Ordinal)
                || status.Detail.Contains(FirstWriteLost, StringComparison.Ordinal),
            _ => false,
        };

    private static Status? RpcStatus(Exception exception) =>
        exception switch
        {
            RpcException rpc => rpc.Status,
            DaprException { InnerException: RpcException rpc } => rpc.Status,
            _ => null,
        };
}
