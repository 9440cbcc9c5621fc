using Dapr.Client;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>The one output-binding call the event bus and the object store make; a seam for unit tests.</summary>
internal interface IBindingInvoker
{
    Task<BindingResponse> InvokeAsync(BindingRequest request, CancellationToken cancellationToken);
}

internal sealed class DaprBindingInvoker(DaprClient client) : IBindingInvoker
{
    public Task<BindingResponse> InvokeAsync(BindingRequest request, CancellationToken cancellationToken) =>
        client.InvokeBindingAsync(request, cancellationToken);
}
