using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using GrpcStatus = Grpc.Core.Status;
using RpcStatus = Google.Rpc.Status;

namespace DaprHarness.State;

/// <summary>
/// The state API's gRPC errors as daprd 1.17 builds them (dapr/dapr pkg/api/errors/state.go, errors.go;
/// pkg/messages/errorcodes): status code and message, plus the rich details dapr/kit errors attach in the
/// <c>grpc-status-details-bin</c> trailer (ErrorInfo with domain <c>dapr.io</c>, and for per-store errors
/// ResourceInfo / BadRequest), which Dapr.Client exposes through <c>TryGetExtendedErrorInfo</c>.
/// </summary>
public static class StateApiErrors
{
    private const string Domain = "dapr.io";
    private const string DetailsTrailer = "grpc-status-details-bin";

    public static RpcException NotConfigured(string storeName) =>
        Build(StatusCode.FailedPrecondition, $"state store {storeName} is not configured", "DAPR_STATE_NOT_CONFIGURED");

    public static RpcException NotFound(string storeName) =>
        Build(StatusCode.InvalidArgument, $"state store {storeName} is not found", "DAPR_STATE_NOT_FOUND");

    public static RpcException IllegalKey(string storeName, string key)
    {
        var message = StateKeyPrefix.IllegalMessage(key);
        var violation = new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = key, Description = message } } };
        return Build(StatusCode.InvalidArgument, message, "DAPR_STATE_ILLEGAL_KEY", violation, Resource(storeName));
    }

    public static RpcException QueryUnsupported(string storeName) =>
        Build(StatusCode.Internal, "state store does not support querying", "DAPR_STATE_QUERYING_NOT_SUPPORTED", Resource(storeName));

    /// <summary>daprd's apierrors.Basic: the legacy error code (e.g. ERR_STATE_SAVE) as the ErrorInfo reason.</summary>
    public static RpcException Basic(StatusCode code, string errorCode, string message) => Build(code, message, errorCode);

    private static ResourceInfo Resource(string storeName) => new() { ResourceType = "state", ResourceName = storeName };

    private static RpcException Build(StatusCode code, string message, string reason, params IMessage[] details)
    {
        var status = new RpcStatus { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        status.Details.Add(Any.Pack(new ErrorInfo { Domain = Domain, Reason = reason }));
        return new RpcException(new GrpcStatus(code, message), new Metadata { { DetailsTrailer, status.ToByteArray() } });
    }
}
