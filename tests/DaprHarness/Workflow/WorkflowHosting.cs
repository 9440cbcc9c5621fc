namespace DaprHarness.Workflow;

/// <summary>Registers the workflow engine and its gRPC service on the sidecar's gRPC port.</summary>
public static class WorkflowHosting
{
    public static IServiceCollection AddHarnessWorkflows(this IServiceCollection services)
    {
        services.AddSingleton<WorkflowEngine>();
        services.AddHostedService<TurnDispatcher>();
        return services;
    }

    public static void MapHarnessWorkflows(this IEndpointRouteBuilder endpoints, int grpcPort) =>
        endpoints.MapGrpcService<TaskHubService>().RequireHost($"*:{grpcPort}");
}
