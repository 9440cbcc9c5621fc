using System.Globalization;
using Dapr.Client;
using FeatureStore.Infrastructure;
using IngestionGate;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;

namespace FeatureStore.Tests.Service;

/// <summary>
/// OFS composed by <see cref="FeatureStoreApp.Build"/> behind its own <c>ofs</c> sidecar harness, whose two input
/// bindings are the real local_parity components under consumer names of their own (a fresh subscription starts at
/// LATEST, so no backlog of other tests' records), plus an <c>ig</c> sidecar to publish with: records go through the
/// real <c>eb-traffic-out</c>/<c>eb-context-out</c> bindings, the harness's Kinesis stand-in, and come back to OFS
/// through <c>eb-*-in-ofs</c>. The object store is wrapped in <see cref="FaultyObjectStore"/>; the archive compacts
/// every 200 ms.
/// </summary>
public sealed class OfsServiceFixture : IAsyncLifetime
{
    public const string ReleaseId = "2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

    /// <summary>
    /// Compaction every 200 ms (not the 1 s default) so tests see segments soon; a build's snapshot waits 1 s (not 5 s)
    /// for live writers before compacting leftovers itself.
    /// </summary>
    private static readonly KeyValuePair<string, string?>[] Settings =
    [
        new($"{FeatureStoreOptions.SectionName}:{nameof(FeatureStoreOptions.ArchiveCompactionInterval)}", "00:00:00.2"),
        new($"{FeatureStoreOptions.SectionName}:{nameof(FeatureStoreOptions.SpoolSettleTime)}", "00:00:01"),
    ];

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];
    private DirectoryInfo? _resources;
    private HarnessInstance? _sidecar;
    private HarnessInstance? _publisher;
    private ServiceUnderTest? _ofs;
    private ServiceUnderTest? _ig;

    internal FaultyObjectStore Objects => Services.GetRequiredService<FaultyObjectStore>();

    internal IServiceProvider Services => Ofs.Services;

    /// <summary>The label timeline the build reads (CM is not part of these tests).</summary>
    internal FixedLabelTimeline Labels { get; } = new();

    internal IEventBus Bus { get; private set; } = null!;

    /// <summary>The build jobs OFS starts (recorded; the workflow engine is exercised elsewhere).</summary>
    internal RecordingBuildJobs Jobs { get; } = new();

    /// <summary>OFS itself; its clients send an API key of <see cref="TestSecrets"/>.</summary>
    internal ServiceUnderTest Ofs => _ofs ?? throw new InvalidOperationException("the fixture is not started");

    /// <summary>A client of the real IG (on the publishing sidecar) sending the producer key of <see cref="TestSecrets"/>.</summary>
    internal HttpClient Producer => (_ig ?? throw new InvalidOperationException("the fixture is not started")).Client(TestSecrets.ProducerKey);

    public async Task InitializeAsync()
    {
        _resources = Directory.CreateTempSubdirectory("ofs-service-tests-");
        var local = RepoPaths.Components("local_parity");
        foreach (var file in new[] { "secretstore.yaml", "resiliency.yaml", "objectstore.yaml", "workflow-state.yaml", "eb-governance-out.yaml" })
        {
            File.Copy(Path.Combine(local, file), Path.Combine(_resources.FullName, file));
        }

        foreach (var stream in new[] { "traffic", "context" })
        {
            var binding = await File.ReadAllTextAsync(Path.Combine(local, $"eb-{stream}-in-ofs.yaml"));
            Assert.Contains($"value: ofs-{stream}", binding, StringComparison.Ordinal);
            await File.WriteAllTextAsync(
                Path.Combine(_resources.FullName, $"eb-{stream}-in-ofs.yaml"),
                binding.Replace($"value: ofs-{stream}", $"value: {ConsumerName(stream)}", StringComparison.Ordinal));
        }

        var port = FreePort.Next();
        _sidecar = await HarnessInstance.StartAsync("ofs", _resources.FullName, port, new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = TestSecrets.FilePath });
        _ofs = await ServiceUnderTest.StartAsync(FeatureStoreApp.Build, _sidecar, ReleaseId, port: port, settings: Settings, services: services =>
        {
            services.AddSingleton(sp => new FaultyObjectStore(new DaprObjectStore(sp.GetRequiredService<DaprClient>())));
            services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<FaultyObjectStore>());
            services.AddSingleton<IOfsBuildJobs>(Jobs);
            services.AddSingleton<ILabelTimeline>(Labels);
        });

        _publisher = await HarnessInstance.StartAsync("ig", environment: new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = TestSecrets.FilePath });
        Bus = new DaprEventBus(_publisher.Client, TimeProvider.System);
        _ig = await ServiceUnderTest.StartAsync(IngestionGateApp.Build, _publisher, ReleaseId);
        await WaitForSubscriptionsAsync();
    }

    public async Task DisposeAsync()
    {
        if (_ig is not null)
        {
            await _ig.DisposeAsync();
        }

        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }

        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_ofs is not null)
        {
            await _ofs.DisposeAsync();
        }

        _resources?.Delete(recursive: true);
    }

    private string ConsumerName(string stream) => $"ofs-tests-{stream}-{_suffix}";

    // A new consumer starts at LATEST when the harness registers it: publish only after both are registered.
    private async Task WaitForSubscriptionsAsync()
    {
        await using var database = NpgsqlDataSource.Create(BackendEnvironment.Current.PostgresConnection);
        await Eventually.WaitAsync("both OFS consumers registered", async () =>
        {
            await using var command = database.CreateCommand(
                "SELECT count(DISTINCT consumer_name) FROM harness_kinesis_checkpoints WHERE consumer_name = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = new[] { ConsumerName("traffic"), ConsumerName("context") } });
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 2;
        });
    }
}

/// <summary>The service tests run one after another on one OFS and its sidecars.</summary>
[CollectionDefinition(Name)]
public sealed class OfsServiceCollectionDefinition : ICollectionFixture<OfsServiceFixture>
{
    public const string Name = "ofs service";
}

internal static class Eventually
{
    public static async Task WaitAsync(string what, Func<Task<bool>> condition, int seconds = 45)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"timed out after {seconds}s waiting for: {what}");
            }

            await Task.Delay(100);
        }
    }
}
