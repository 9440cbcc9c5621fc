using Platform.Substrate.BuildingBlocks;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>
/// The sidecar of app <c>ig</c> on components/local_parity (no app port) and Substrate's building blocks over its
/// real DaprClient: ig-admission, objectstore, eb-traffic-out, eb-governance-out and the secret store are in its scope.
/// </summary>
public sealed class IgSidecar : IAsyncLifetime
{
    private HarnessInstance? _harness;

    public HarnessInstance Harness => _harness ?? throw new InvalidOperationException("the ig sidecar is not started");

    public DaprStateStore Admission => new(Harness.Client, PlatformNames.Components.IgAdmission);

    public DaprObjectStore Objects => new(Harness.Client);

    public DaprEventBus Bus => new(Harness.Client, TimeProvider.System);

    public DaprSecrets Secrets => new(Harness.Client);

    public async Task InitializeAsync() => _harness = await HarnessInstance.StartAsync(PlatformNames.AppIds.IngestionGate);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
