using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;

namespace ModelFactory.Tests.Service;

/// <summary>
/// MF composed by <see cref="ModelFactoryApp.Build"/> behind an <c>mf</c> sidecar harness with the local_parity
/// components: the object store is the local S3-compatible server, the workflow engine is the harness's (a test restarts it), facts go to
/// the object store and the governance stream. Jobs are unique per test run because their ids derive from requests
/// naming a fresh platform_run_id.
/// </summary>
public sealed class MfServiceFixture : IAsyncLifetime
{
    public const string ReleaseId = "3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

    private static readonly Lazy<ApiKeySecretsFile> Secrets = new(() => new ApiKeySecretsFile("mf-tests",
    [
        new("operator", "mf-tests-operator", "HUMAN", "operator"),
        new("producer", "mf-tests-producer", "SYSTEM", "producer:traffic"),
    ]));

    private HarnessInstance? _sidecar;
    private ServiceUnderTest? _mf;

    public IServiceProvider Services => Mf.Services;

    public GatedObjectStore Objects => Services.GetRequiredService<GatedObjectStore>();

    public HarnessInstance Sidecar => _sidecar!;

    public static string OperatorKey => Secrets.Value.ApiKey("operator")!;

    public static string ProducerKey => Secrets.Value.ApiKey("producer")!;

    private ServiceUnderTest Mf => _mf ?? throw new InvalidOperationException("the fixture is not started");

    /// <summary>A client of MF sending <paramref name="apiKey"/> (none when null), owned by the fixture.</summary>
    public HttpClient Client(string? apiKey) => Mf.Client(apiKey);

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        _sidecar = await HarnessInstance.StartAsync("mf", appPort: port, environment: new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = Secrets.Value.FilePath });
        _mf = await ServiceUnderTest.StartAsync(ModelFactoryApp.Build, _sidecar, ReleaseId, port: port, services: services =>
        {
            services.AddSingleton(sp => new GatedObjectStore(new DaprObjectStore(sp.GetRequiredService<DaprClient>())));
            services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<GatedObjectStore>());
        });
    }

    public async Task DisposeAsync()
    {
        if (_mf is not null)
        {
            await _mf.DisposeAsync();
        }

        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
    }
}

/// <summary>The service tests run one after another on one MF and its sidecar.</summary>
[CollectionDefinition(Name)]
public sealed class MfServiceCollectionDefinition : ICollectionFixture<MfServiceFixture>
{
    public const string Name = "mf service";
}
