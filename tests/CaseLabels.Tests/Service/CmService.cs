using CaseLabels.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;

namespace CaseLabels.Tests.Service;

/// <summary>
/// cm itself, composed by <see cref="CaseLabelsApp.Build"/> exactly as Program runs it (see
/// <see cref="ServiceUnderTest"/>), with its DaprClient pointed at <paramref name="sidecar"/>'s ports. Tests may
/// substitute services (fault injection) before it starts.
/// </summary>
internal sealed class CmService : IAsyncDisposable
{
    /// <summary>The service_release_id every test instance records (a git SHA shape).</summary>
    public const string ReleaseId = "2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

    private readonly ServiceUnderTest _service;

    private CmService(ServiceUnderTest service) => _service = service;

    public Uri BaseAddress => _service.BaseAddress;

    public CmContext Context => _service.Services.GetRequiredService<CmContext>();

    /// <summary>Starts cm on <paramref name="port"/> (a free one when null): give the port first when the sidecar must call the app.</summary>
    public static async Task<CmService> StartAsync(HarnessInstance sidecar, IReadOnlyDictionary<string, string?>? settings = null, int? port = null, Action<IServiceCollection>? services = null) =>
        new(await ServiceUnderTest.StartAsync(CaseLabelsApp.Build, sidecar, ReleaseId, settings, services, port));

    /// <summary>An HTTP client sending the API key of a symbolic caller (see <see cref="TestSecrets"/>).</summary>
    public HttpClient Client(string caller) => _service.Client(TestSecrets.ApiKey(caller));

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}

/// <summary>One <c>cm</c> sidecar harness on components/local_parity and one cm on it, shared by the service tests.</summary>
public sealed class CmServiceFixture : IAsyncLifetime
{
    private HarnessInstance? _sidecar;
    private CmService? _cm;

    internal CmService Cm => _cm ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync()
    {
        _sidecar = await HarnessInstance.StartAsync(
            "cm", environment: new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = TestSecrets.FilePath });
        _cm = await CmService.StartAsync(_sidecar);
    }

    public async Task DisposeAsync()
    {
        if (_cm is not null)
        {
            await _cm.DisposeAsync();
        }

        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
    }
}

/// <summary>The service tests run one after another: they share the sidecar, and two cores are all a CI machine has.</summary>
[CollectionDefinition(Name)]
public sealed class CmServiceCollectionDefinition : ICollectionFixture<CmServiceFixture>
{
    public const string Name = "cm service";
}
