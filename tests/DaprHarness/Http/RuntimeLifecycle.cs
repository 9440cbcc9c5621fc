namespace DaprHarness.Http;

/// <summary>
/// daprd's two health targets (pkg/runtime/runtime.go, release-1.17): outbound health is ready as soon as the API
/// servers listen; inbound health (<c>/v1.0/healthz</c>) only once start-up completed, which includes waiting
/// until the app's port accepts connections (blockUntilAppIsReady).
/// </summary>
public sealed class RuntimeReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}

/// <summary>Sidecar-level metadata set through SetMetadata, reported under <c>extended</c>.</summary>
public sealed class ExtendedMetadata
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Snapshot() => new Dictionary<string, string>(_values, StringComparer.Ordinal);

    /// <summary>An empty key is a no-op, as in daprd's SetMetadata.</summary>
    public void Set(string key, string value)
    {
        if (key.Length > 0)
        {
            _values[key] = value;
        }
    }
}

/// <summary>
/// Logs the configuration fields the harness accepts without emulating them and registers the app for service
/// invocation; once the servers listen, waits for the app and marks the sidecar ready, then keeps the
/// registration alive until the harness stops.
/// </summary>
public sealed class RuntimeLifecycle(
    HarnessRuntime runtime,
    AppRegistry registry,
    RuntimeReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILogger<RuntimeLifecycle> logger) : BackgroundService
{
    private bool _registered;
    private string? _lastProblem;

    /// <summary>Registers before the harness reports started, so a caller can resolve the app as soon as it is up.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var field in runtime.Configuration.NotEmulated)
        {
            logger.LogInformation("{File}: {Field} is accepted but not emulated by the harness", runtime.Configuration.File, field);
        }

        // Bounded, so an unreachable harness database delays start-up only briefly (the heartbeat retries).
        using (var registration = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            registration.CancelAfter(TimeSpan.FromSeconds(5));
            await KeepRegisteredAsync(registration.Token, cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        await Task.WhenAll(MarkReadyWhenAppIsReachableAsync(stoppingToken), HeartbeatAsync(stoppingToken));
    }

    private async Task MarkReadyWhenAppIsReachableAsync(CancellationToken stoppingToken)
    {
        await runtime.App.WaitUntilReachableAsync(stoppingToken);
        readiness.MarkReady();
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(AppRegistry.HeartbeatInterval, runtime.Context.Clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await KeepRegisteredAsync(stoppingToken, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_registered)
        {
            try
            {
                await registry.UnregisterAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "could not remove app {AppId} from the harness app registry", runtime.Flags.AppId);
            }
        }
    }

    private async Task KeepRegisteredAsync(CancellationToken attempt, CancellationToken stopping)
    {
        try
        {
            await registry.RegisterAsync(attempt);
            _registered = true;
            _lastProblem = null;
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // Without the harness database other apps cannot find this one; everything else still works.
            if (e.Message != _lastProblem)
            {
                logger.LogWarning("app {AppId} is not registered for service invocation: {Reason}", runtime.Flags.AppId, e.Message);
                _lastProblem = e.Message;
            }
        }
    }
}
