using Dapr.Workflow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Testing;

/// <summary>
/// An app running Dapr.Workflow's worker (<c>AddDaprWorkflow</c>) against a harness sidecar, as a service would
/// with DAPR_GRPC_ENDPOINT pointing at its sidecar, plus the app's <see cref="DaprWorkflowClient"/>. Stop it to
/// drop the worker's GetWorkItems stream; start another on the same harness to reconnect.
/// </summary>
public sealed class WorkflowApp : IAsyncDisposable
{
    private readonly IHost _host;

    private WorkflowApp(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<DaprWorkflowClient>();
    }

    public DaprWorkflowClient Client { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the worker with the workflows and activities <paramref name="register"/> registers;
    /// <paramref name="services"/> adds what activities take from DI.
    /// </summary>
    public static async Task<WorkflowApp> StartAsync(
        HarnessInstance sidecar, Action<WorkflowRuntimeOptions> register, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{sidecar.GrpcPort}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{sidecar.HttpPort}",
            ["DAPR_API_TOKEN"] = sidecar.Environment.GetValueOrDefault("DAPR_API_TOKEN"),
        });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddDaprWorkflow(register);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new WorkflowApp(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
