using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>
/// One <c>ig</c> sidecar harness on components/local_parity and one IG on it, shared by the service tests. Tests that
/// need their own IG (fault injection, other settings, restarts) start it on <see cref="Sidecar"/> as well: IG keeps
/// no state of its own, so several instances on one sidecar behave like replicas.
/// </summary>
public sealed class IgServiceFixture : IAsyncLifetime
{
    private HarnessInstance? _sidecar;
    private IgService? _ig;

    internal HarnessInstance Sidecar => _sidecar ?? throw new InvalidOperationException("the fixture is not started");

    internal IgService Ig => _ig ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync()
    {
        _sidecar = await Backends.StartSidecarAsync();
        // Its receipt backfill stays out of the way of the test that watches another IG's backfill.
        _ig = await IgService.StartAsync(_sidecar, new Dictionary<string, string?> { ["IngestionGate:ReceiptBackfillInterval"] = "01:00:00" });
    }

    public async Task DisposeAsync()
    {
        if (_ig is not null)
        {
            await _ig.DisposeAsync();
        }

        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
    }
}

/// <summary>The service tests run one after another: they share the sidecar, and two cores are all a CI machine has.</summary>
[CollectionDefinition(Name)]
public sealed class IgServiceCollectionDefinition : ICollectionFixture<IgServiceFixture>
{
    public const string Name = "ig service";
}
