using Dapr.Client.Autogen.Grpc.v1;
using DaprHarness.Http;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprHarness.Grpc;

/// <summary>
/// Sidecar metadata and shutdown (dapr/dapr release-1.17 pkg/api/universal/metadata.go and shutdown.go): the
/// same answer as <c>GET /v1.0/metadata</c>; SetMetadata adds to <c>extended</c>; Shutdown stops the harness
/// after answering.
/// </summary>
public partial class DaprRuntimeService
{
    public virtual Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(RuntimeMetadata.Build(Runtime, Service<ExtendedMetadata>(context)));

    public virtual Task<Empty> SetMetadata(SetMetadataRequest request, ServerCallContext context)
    {
        Service<ExtendedMetadata>(context).Set(request.Key, request.Value);
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> Shutdown(ShutdownRequest request, ServerCallContext context)
    {
        Service<IHostApplicationLifetime>(context).StopApplication();
        return Task.FromResult(new Empty());
    }

    private static T Service<T>(ServerCallContext context) where T : notnull =>
        context.GetHttpContext().RequestServices.GetRequiredService<T>();
}
