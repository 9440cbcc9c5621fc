using System.Reflection;
using Google.Protobuf;
using Grpc.Core;

namespace DaprHarness.Grpc;

/// <summary>
/// Binds a gRPC service from its protobuf descriptor, for services whose packages ship only client stubs
/// (Dapr.Protos has no <c>DaprBase</c>; Dapr.Workflow has no TaskHub server base). Each descriptor method that the
/// implementation declares as <c>public virtual</c> with gRPC's handler signature is bound; the rest answer
/// UNIMPLEMENTED, like any unknown method.
/// </summary>
public static class DescriptorServiceBinder
{
    public static void Bind(ServiceBinderBase binder, Google.Protobuf.Reflection.ServiceDescriptor service, Type implementation)
    {
        foreach (var method in service.Methods)
        {
            var request = method.InputType.ClrType;
            var response = method.OutputType.ClrType;
            var handler = implementation.GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance);
            if (handler is null || !handler.IsVirtual)
            {
                continue;
            }

            var kind = (method.IsClientStreaming, method.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (false, true) => MethodType.ServerStreaming,
                (true, false) => MethodType.ClientStreaming,
                _ => MethodType.DuplexStreaming,
            };
            typeof(DescriptorServiceBinder)
                .GetMethod(nameof(AddMethod), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(request, response)
                .Invoke(null, [binder, service.FullName, method.Name, kind]);
        }
    }

    private static void AddMethod<TRequest, TResponse>(ServiceBinderBase binder, string serviceName, string methodName, MethodType kind)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = new Method<TRequest, TResponse>(kind, serviceName, methodName, Marshaller<TRequest>(), Marshaller<TResponse>());
        // Grpc.AspNetCore resolves the handler by name on the service type; the delegate passed here is unused.
        switch (kind)
        {
            case MethodType.Unary:
                binder.AddMethod(method, (UnaryServerMethod<TRequest, TResponse>)null!);
                break;
            case MethodType.ServerStreaming:
                binder.AddMethod(method, (ServerStreamingServerMethod<TRequest, TResponse>)null!);
                break;
            case MethodType.ClientStreaming:
                binder.AddMethod(method, (ClientStreamingServerMethod<TRequest, TResponse>)null!);
                break;
            default:
                binder.AddMethod(method, (DuplexStreamingServerMethod<TRequest, TResponse>)null!);
                break;
        }
    }

    private static Marshaller<T> Marshaller<T>() where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}
