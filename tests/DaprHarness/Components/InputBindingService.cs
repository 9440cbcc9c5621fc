namespace DaprHarness.Components;

/// <summary>
/// Starts every input binding once the app is reachable, as daprd does after its app channel is ready.
/// A binding that stops with an error is logged and restarted after a pause, never silently dropped.
/// </summary>
public sealed class InputBindingService(HarnessRuntime runtime, ILogger<InputBindingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var bindings = runtime.Components.OfKind<IInputBindingComponent>().Where(b => b.ReadsInput).ToList();
        if (bindings.Count == 0 || !runtime.App.HasApp)
        {
            return;
        }

        await runtime.App.WaitUntilReachableAsync(stoppingToken);
        await Task.WhenAll(bindings.Select(b => RunAsync(b, stoppingToken)));
    }

    private async Task RunAsync(IInputBindingComponent binding, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await binding.RunAsync(runtime.App, stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "input binding {Binding} failed; restarting in 1s", binding.Name);
                await Task.Delay(TimeSpan.FromSeconds(1), runtime.Context.Clock, stoppingToken);
            }
        }
    }
}
