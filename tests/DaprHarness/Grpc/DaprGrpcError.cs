using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using GrpcStatus = Grpc.Core.Status;
using RpcStatus = Google.Rpc.Status;

namespace DaprHarness.Grpc;

/// <summary>
/// The gRPC errors daprd returns, in its two forms (dapr/dapr release-1.17). A bare status (code and message):
/// pkg/messages APIError and plain Go errors. A rich one: dapr/kit errors (and pkg/messaging/v1
/// ErrorFromHTTPResponseCode) also put a google.rpc.Status in the <c>grpc-status-details-bin</c> trailer, with
/// the details in the order the builder added them (BadRequest, ResourceInfo) and the ErrorInfo of domain
/// <c>dapr.io</c> last; Dapr.Client exposes them through <c>TryGetExtendedErrorInfo</c>.
/// </summary>
public static class DaprGrpcError
{
    private const string Domain = "dapr.io";
    private const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>A status without details trailer.</summary>
    public static RpcException Bare(StatusCode code, string message) => new(new GrpcStatus(code, message));

    /// <summary>A status with the details trailer: the optional details, then ErrorInfo(reason, metadata).</summary>
    public static RpcException Rich(
        StatusCode code,
        string message,
        string reason,
        IReadOnlyDictionary<string, string>? metadata = null,
        ResourceInfo? resource = null,
        BadRequest? badRequest = null)
    {
        var status = new RpcStatus { Code = (int)code, Message = message };
        foreach (var detail in new IMessage?[] { badRequest, resource }.OfType<IMessage>())
        {
            status.Details.Add(Any.Pack(detail));
        }

        var info = new ErrorInfo { Domain = Domain, Reason = reason };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            info.Metadata.Add(key, value);
        }

        status.Details.Add(Any.Pack(info));
        return new RpcException(new GrpcStatus(code, message), new Metadata { { DetailsTrailer, status.ToByteArray() } });
    }
}
