using DaprHarness.Cli;
using DaprHarness.Components;
using DaprHarness.Grpc;
using DaprHarness.Http;
using DaprHarness.Resiliency;
using DaprHarness.Resources;
using DaprHarness.Workflow;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DaprHarness;

/// <summary>Builds and runs one sidecar: gRPC API on --dapr-grpc-port, HTTP API on --dapr-http-port.</summary>
public static class HarnessHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = await BuildAsync(args, Environment.GetEnvironmentVariable);
        }
        catch (HarnessStartupException e)
        {
            await Console.Error.WriteLineAsync($"dapr harness: fatal: {e.Message}");
            return 1;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// Loads resources and configuration, builds the in-scope components and returns the (not yet started) host.
    /// Throws <see cref="HarnessStartupException"/> for anything the harness does not support.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        var flags = DaprdFlags.Parse(args, environment("NAMESPACE"));
        var documents = ResourceLoader.LoadDirectories(flags.ResourcesPaths, flags.Namespace);
        var configuration = SidecarConfiguration.Load(flags.ConfigPath);
        var resiliency = ResiliencyLoader.Load(documents, flags.AppId);
        var definitions = new List<ComponentDefinition>();
        foreach (var doc in documents)
        {
            if (doc.ApiVersion != ResourceLoader.DaprApiVersion && doc.Kind != "Subscription")
            {
                throw new HarnessStartupException(doc.File, "apiVersion", $"'{doc.ApiVersion}' is not {ResourceLoader.DaprApiVersion}");
            }

            switch (doc.Kind)
            {
                case "Component":
                    definitions.Add(ComponentDefinition.FromDocument(doc));
                    break;
                case "Resiliency":
                    break; // read by ResiliencyLoader above
                case "Configuration":
                    break; // daprd takes its Configuration from --config and ignores it in resources paths
                default:
                    throw new HarnessStartupException(doc.File, "kind", $"resource kind '{doc.Kind}' is not supported by the harness");
            }
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(flags.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" or "fatal" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, flags.DaprGrpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(System.Net.IPAddress.Loopback, flags.DaprHttpPort, o => o.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024; // daprd's default --max-body-size (4Mi)
        });
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);

        // Components log for the sidecar's whole life, so this factory is disposed when the host stops.
        var loggerFactory = LoggerFactory.Create(l => l.AddConsole().SetMinimumLevel(LogLevel.Warning));
        var app = new AppChannel(flags.AppChannelAddress, flags.AppPort, environment("APP_API_TOKEN"));
        var harnessConnection = environment("HARNESS_POSTGRES_CONNECTION");
        var context = new HarnessContext(flags, loggerFactory, resiliency, TimeProvider.System, harnessConnection);

        ComponentRegistry registry;
        try
        {
            registry = await ComponentRegistry.BuildAsync(definitions, ComponentRegistry.DiscoverFactories(), context, environment, cancellationToken);
        }
        catch
        {
            await context.DisposeAsync();
            app.Dispose();
            loggerFactory.Dispose();
            throw;
        }

        var runtime = new HarnessRuntime(flags, configuration, registry, context, app);
        builder.Services.AddSingleton(runtime);
        builder.Services.AddDaprRuntimeApi(environment);
        builder.Services.AddHostedService<InputBindingService>();
        builder.Services.AddHarnessWorkflows();

        var web = builder.Build();
        web.MapGrpcService<DaprRuntimeService>().RequireHost($"*:{flags.DaprGrpcPort}");
        web.MapHarnessWorkflows(flags.DaprGrpcPort);
        web.MapDaprHttpApi(runtime).RequireHost($"*:{flags.DaprHttpPort}");
        web.Lifetime.ApplicationStopped.Register(() =>
        {
            registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
            context.DisposeAsync().AsTask().GetAwaiter().GetResult();
            app.Dispose();
            loggerFactory.Dispose();
        });
        return web;
    }
}
