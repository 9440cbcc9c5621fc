using Dapr.Client.Autogen.Grpc.v1;
using DaprHarness.Bindings;
using DaprHarness.Components;
using Google.Protobuf;
using Grpc.Core;

namespace DaprHarness.Grpc;

/// <summary>
/// Output bindings: <c>InvokeBinding</c> as daprd serves it (dapr/dapr@release-1.17 pkg/api/grpc/grpc.go
/// InvokeBinding, pkg/runtime/processor/binding/send.go SendToOutputBinding). Every failure, including an unknown
/// binding, is gRPC Internal with "error invoking output binding &lt;name&gt;: &lt;cause&gt;" and an ErrorInfo detail
/// (reason ERR_INVOKE_OUTPUT_BINDING, domain dapr.io).
/// </summary>
public partial class DaprRuntimeService
{
    public virtual async Task<InvokeBindingResponse> InvokeBinding(InvokeBindingRequest request, ServerCallContext context)
    {
        var name = request.Name;
        var operation = request.Operation;
        if (operation.Length == 0)
        {
            throw OutputBindingError(name, "operation field is missing from request");
        }

        // A binding that is out of this app's scopes was never loaded, so it is "not found" like a missing one; so is
        // a binding whose direction leaves out output.
        if (!Runtime.Components.TryGet<IOutputBindingComponent>(name, out var binding)
            || binding is IDirectionalBinding { Direction.Output: false })
        {
            throw OutputBindingError(name, $"couldn't find output binding {name}");
        }

        if (!binding.Operations.Contains(operation, StringComparer.Ordinal))
        {
            throw OutputBindingError(name, $"binding {name} does not support operation {operation}. supported operations:{string.Join(' ', binding.Operations)}");
        }

        var metadata = request.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var data = request.Data.ToByteArray();
        BindingResult? result = null;
        var failure = await Runtime.Context.Resiliency.ComponentOutbound(name).ExecuteAsync(
            async attempt => result = await binding.InvokeAsync(operation, data, metadata, attempt),
            Runtime.Context.Clock,
            context.CancellationToken);
        if (failure is not null || result is null)
        {
            Logger.LogDebug(failure, "output binding {Binding} operation {Operation} failed", name, operation);
            // A Resiliency timeout cancels the attempt; Go reports the context's error.
            throw OutputBindingError(name, failure switch
            {
                OperationCanceledException => "context deadline exceeded",
                null => "no result",
                _ => failure.Message,
            });
        }

        // daprd also sends the binding's response metadata as "metadata.<key>" response headers.
        var headers = new Metadata();
        foreach (var (key, value) in result.Metadata)
        {
            if (key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && value.All(c => c is >= ' ' and <= '~'))
            {
                headers.Add("metadata." + key.ToLowerInvariant(), value);
            }
        }

        if (headers.Count > 0)
        {
            await context.WriteResponseHeadersAsync(headers);
        }

        var response = new InvokeBindingResponse { Data = ByteString.CopyFrom(result.Data) };
        foreach (var (key, value) in result.Metadata)
        {
            response.Metadata[key] = value;
        }

        return response;
    }

    private static RpcException OutputBindingError(string name, string cause) =>
        DaprGrpcError.Rich(StatusCode.Internal, $"error invoking output binding {name}: {cause}", "ERR_INVOKE_OUTPUT_BINDING");
}
