using Grpc.Core;
using DaprService = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace DaprHarness.Grpc;

/// <summary>
/// <c>dapr.proto.runtime.v1.Dapr</c>, the runtime API Dapr.Client calls. Split into partial files per building
/// block; every handler is <c>public virtual</c> because Grpc.AspNetCore binds by name on this type.
/// </summary>
[BindServiceMethod(typeof(DaprRuntimeService), nameof(BindService))]
public partial class DaprRuntimeService(HarnessRuntime runtime, ILogger<DaprRuntimeService> logger)
{
    protected HarnessRuntime Runtime { get; } = runtime;

    protected ILogger Logger { get; } = logger;

    public static void BindService(ServiceBinderBase binder, DaprRuntimeService? service) =>
        DescriptorServiceBinder.Bind(binder, DaprService.Descriptor, typeof(DaprRuntimeService));
}
