using IngestionGate.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>
/// IG itself, composed by <see cref="IngestionGateApp.Build"/> exactly as Program runs it (see
/// <see cref="ServiceUnderTest"/>), with its DaprClient pointed at <paramref name="sidecar"/>'s ports. Tests change
/// settings (<c>IngestionGate:*</c>) and may substitute services (fault injection) before it starts.
/// </summary>
internal sealed class IgService : IAsyncDisposable
{
    /// <summary>The service_release_id every test instance records (a git SHA shape).</summary>
    public const string ReleaseId = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

    private readonly ServiceUnderTest _service;

    private IgService(ServiceUnderTest service) => _service = service;

    public Uri BaseAddress => _service.BaseAddress;

    public IServiceProvider Services => _service.Services;

    public IgContext Context => Services.GetRequiredService<IgContext>();

    public static async Task<IgService> StartAsync(
        HarnessInstance sidecar, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        new(await ServiceUnderTest.StartAsync(
            IngestionGateApp.Build,
            sidecar,
            ReleaseId,
            // A loaded CI machine must not turn a slow commit into a 409 for the waiting duplicates.
            [new("IngestionGate:InFlightWait", "00:00:10"), .. settings ?? new Dictionary<string, string?>()],
            services));

    /// <summary>An HTTP client sending the API key of a symbolic caller (see <see cref="TestSecrets"/>).</summary>
    public HttpClient Client(string caller) => _service.Client(TestSecrets.ApiKey(caller));

    /// <summary>Stops IG the way a crash would look from outside: whatever it was doing is cut off.</summary>
    public Task StopAsync() => _service.StopAsync();

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
