using DaprHarness.State;
using Google.Rpc;
using Grpc.Core;

namespace DaprHarness.Grpc;

/// <summary>
/// The state API's gRPC errors as daprd 1.17 builds them (dapr/dapr pkg/api/errors/state.go, errors.go;
/// pkg/messages/errorcodes): status code, message and reason, with ResourceInfo / BadRequest for per-store errors.
/// </summary>
public static class StateApiErrors
{
    public static RpcException NotConfigured(string storeName) =>
        DaprGrpcError.Rich(StatusCode.FailedPrecondition, $"state store {storeName} is not configured", "DAPR_STATE_NOT_CONFIGURED");

    public static RpcException NotFound(string storeName) =>
        DaprGrpcError.Rich(StatusCode.InvalidArgument, $"state store {storeName} is not found", "DAPR_STATE_NOT_FOUND");

    public static RpcException IllegalKey(string storeName, string key)
    {
        var message = StateKeyPrefix.IllegalMessage(key);
        var violation = new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = key, Description = message } } };
        return DaprGrpcError.Rich(StatusCode.InvalidArgument, message, "DAPR_STATE_ILLEGAL_KEY", resource: Resource(storeName), badRequest: violation);
    }

    public static RpcException QueryUnsupported(string storeName) =>
        DaprGrpcError.Rich(StatusCode.Internal, "state store does not support querying", "DAPR_STATE_QUERYING_NOT_SUPPORTED", resource: Resource(storeName));

    /// <summary>daprd's apierrors.Basic: the legacy error code (e.g. ERR_STATE_SAVE) as the ErrorInfo reason.</summary>
    public static RpcException Basic(StatusCode code, string errorCode, string message) => DaprGrpcError.Rich(code, message, errorCode);

    private static ResourceInfo Resource(string storeName) => new() { ResourceType = "state", ResourceName = storeName };
}
