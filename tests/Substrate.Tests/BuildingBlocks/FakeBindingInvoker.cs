using Dapr;
using Dapr.Client;
using Grpc.Core;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Tests.BuildingBlocks;

/// <summary>Records every binding request and answers with a scripted responder.</summary>
internal sealed class FakeBindingInvoker(Func<BindingRequest, BindingResponse> respond) : IBindingInvoker
{
    public List<BindingRequest> Requests { get; } = [];

    public Task<BindingResponse> InvokeAsync(BindingRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(request);
        return Task.FromResult(respond(request));
    }

    public static BindingResponse Answer(BindingRequest request, ReadOnlyMemory<byte> data = default) =>
        new(request, data, new Dictionary<string, string>());

    /// <summary>What DaprClient throws when the sidecar reports a component error (gRPC Internal + component text).</summary>
    public static DaprException SidecarError(string component, string componentMessage) =>
        new(
            "Binding operation failed: the Dapr endpoint indicated a failure. See InnerException for details.",
            new RpcException(new Status(StatusCode.Internal, $"error invoking output binding {component}: {componentMessage}")));
}

/// <summary>An S3 binding double holding objects in memory, answering as components-contrib's s3.go does.</summary>
internal sealed class InMemoryS3Binding
{
    public Dictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    public FakeBindingInvoker Invoker { get; }

    public InMemoryS3Binding() => Invoker = new FakeBindingInvoker(Respond);

    private BindingResponse Respond(BindingRequest request)
    {
        var key = request.Metadata.GetValueOrDefault("key", string.Empty);
        switch (request.Operation)
        {
            case "get":
                return Objects.TryGetValue(key, out var bytes)
                    ? FakeBindingInvoker.Answer(request, bytes)
                    : throw FakeBindingInvoker.SidecarError(request.BindingName, "object not found");
            case "create":
                var data = System.Text.Encoding.ASCII.GetString(request.Data.Span);
                Objects[key] = request.Metadata.GetValueOrDefault("decodeBase64") == "true"
                    ? Convert.FromBase64String(data)
                    : request.Data.ToArray();
                return FakeBindingInvoker.Answer(request, "{\"location\":\"x\",\"versionID\":null}"u8.ToArray());
            default:
                throw new NotSupportedException(request.Operation);
        }
    }
}
