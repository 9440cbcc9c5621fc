using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CaseLabels;
using CaseLabels.Infrastructure;
using Dapr.Client;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace FeatureStore.Tests.Service;

/// <summary>
/// The real cm (<see cref="CaseLabelsApp.Build"/>) behind its <c>cm</c> sidecar harness and an <c>ofs</c> sidecar
/// harness, both in a namespace of their own so they find each other and nobody else's cm. The sidecars load only the
/// components cm uses (no input bindings: this cm must not consume other tests' stream records). One run's labels are
/// posted once, by an EXTERNAL feed, through <c>POST /v1/labels:batch</c>: more than one read page of them.
/// </summary>
public sealed class CmLabelsFixture : IAsyncLifetime
{
    public const string ReleaseId = "3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

    /// <summary>cm's CaseLabels:MaxReadPage here: 1,100 assertions take three pages.</summary>
    public const int CmPageSize = 400;

    /// <summary>Effective time of every posted label (the labelled transactions' time).</summary>
    public static readonly DateTimeOffset Effective = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The label_asof_utc the tests build with: one posted label is observed after it.</summary>
    public static readonly DateTimeOffset LabelAsof = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Distinct chargeback_status assertions, one per event: with the three fraud_disposition ones, over one read page.</summary>
    private const int ChargebackEvents = 1097;

    private static readonly string[] Components = ["secretstore.yaml", "resiliency.yaml", "cm-store.yaml", "objectstore.yaml", "eb-governance-out.yaml"];

    private readonly List<IAsyncDisposable> _owned = [];
    private ApiKeySecretsFile? _secrets;
    private DirectoryInfo? _resources;
    private HttpClient? _invoke;

    /// <summary>The run the labels are about; fresh, since the Label Store outlives test runs.</summary>
    public string RunId { get; } = PlatformRunId.Mint(
        new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.NextInt64(0, 98L * 365 * 24 * 3600)));

    /// <summary>The event labelled FRAUD_SUSPECTED, then FRAUD_CONFIRMED at a later observed_time.</summary>
    public string TwiceObservedEvent { get; } = $"evt-twice-{Guid.NewGuid():N}";

    /// <summary>The event whose only label (FRAUD_CONFIRMED) is observed after <see cref="LabelAsof"/>.</summary>
    public string LateEvent { get; } = $"evt-late-{Guid.NewGuid():N}";

    /// <summary>Every distinct assertion posted, in posting order.</summary>
    public IReadOnlyList<JsonObject> Posted { get; private set; } = [];

    /// <summary>cm's ack of each item of the batches, in posting order (the replay last).</summary>
    public IReadOnlyList<JsonElement> Acks { get; private set; } = [];

    /// <summary>The ofs sidecar's HTTP endpoint.</summary>
    public string OfsSidecarEndpoint { get; private set; } = string.Empty;

    /// <summary>What OFS uses in production: a CmLabelTimeline over an invoke client of its own sidecar.</summary>
    public CmLabelTimeline Timeline { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _secrets = new ApiKeySecretsFile("ofs-cm-tests", [new ApiKeyCaller("feed", "ofs-cm-tests-chargebacks", "SYSTEM", "label-feed")]);
        _resources = Directory.CreateTempSubdirectory("ofs-cm-tests-");
        foreach (var file in Components)
        {
            File.Copy(Path.Combine(RepoPaths.Components("local_parity"), file), Path.Combine(_resources.FullName, file));
        }

        var (cm, ofsSidecar) = await StartCmAsync();
        OfsSidecarEndpoint = $"http://127.0.0.1:{ofsSidecar.HttpPort}";
        _invoke = DaprClient.CreateInvokeHttpClient(PlatformNames.AppIds.CaseLabels, OfsSidecarEndpoint);
        Timeline = new CmLabelTimeline(_invoke);
        await PostRunAsync(cm!.Client(_secrets.ApiKey("feed")));
    }

    /// <summary>
    /// A cm and its sidecar plus an ofs sidecar in a fresh namespace (owned by the fixture); without
    /// <paramref name="withCm"/>, only the ofs sidecar: cm cannot be resolved from it.
    /// </summary>
    public async Task<(ServiceUnderTest? Cm, HarnessInstance OfsSidecar)> StartCmAsync(bool withCm = true)
    {
        var environment = new Dictionary<string, string>
        {
            ["PLATFORM_SECRETS_FILE"] = _secrets!.FilePath,
            ["NAMESPACE"] = "ofs-cm-tests-" + Guid.NewGuid().ToString("N")[..12],
        };
        ServiceUnderTest? cm = null;
        if (withCm)
        {
            var port = FreePort.Next();
            var cmSidecar = Own(await HarnessInstance.StartAsync(PlatformNames.AppIds.CaseLabels, _resources!.FullName, port, environment));
            // Smaller pages than cm's default: OFS must follow cm's page size, whatever it is configured to.
            cm = Own(await ServiceUnderTest.StartAsync(
                CaseLabelsApp.Build, cmSidecar, ReleaseId, settings: [new("CaseLabels:MaxReadPage", CmPageSize.ToString(CultureInfo.InvariantCulture))], port: port));
        }

        var ofsSidecar = Own(await HarnessInstance.StartAsync("ofs", _resources!.FullName, environment: environment));
        return (cm, ofsSidecar);
    }

    public async Task DisposeAsync()
    {
        _invoke?.Dispose();
        // Apps before their sidecars: the reverse of the start order.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _resources?.Delete(recursive: true);
    }

    private T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    private async Task PostRunAsync(HttpClient feed)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var suspected = Assertion(TwiceObservedEvent, LabelObservation.FraudDisposition, "FRAUD_SUSPECTED", Effective.AddDays(3));
        var confirmed = Assertion(TwiceObservedEvent, LabelObservation.FraudDisposition, "FRAUD_CONFIRMED", Effective.AddDays(5));
        var late = Assertion(LateEvent, LabelObservation.FraudDisposition, "FRAUD_CONFIRMED", LabelAsof.AddDays(1));
        var chargebacks = Enumerable.Range(0, ChargebackEvents).Select(i => Assertion(
            $"evt-{tag}-{i:D4}", LabelObservation.ChargebackStatus, i % 2 == 0 ? "CHARGEBACK" : "NO_CHARGEBACK", Effective.AddDays(2).AddSeconds(i)));

        // The two observations of one event go in different batches, so they are appended one after the other.
        Posted = [suspected, .. chargebacks, late, confirmed];
        var items = Posted.Append(Posted[0].DeepClone().AsObject()).ToList();
        var acks = new List<JsonElement>();
        foreach (var batch in items.Chunk(CaseLabelsOptions.MaxBatchItems))
        {
            using var response = await feed.PostAsJsonAsync("v1/labels:batch", new JsonArray([.. batch]));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
            acks.AddRange(body.GetProperty("results").EnumerateArray().Select(r => r.TryGetProperty("ack", out var ack) ? ack : throw new InvalidOperationException($"cm refused a label: {r}")));
        }

        Acks = acks;
    }

    private JsonObject Assertion(string eventId, string labelType, string value, DateTimeOffset observed) => new()
    {
        ["platform_run_id"] = RunId,
        ["event_id"] = eventId,
        ["label_type"] = labelType,
        ["value"] = value,
        ["observed_time"] = UtcTimestamp.Format(observed),
        ["effective_time"] = UtcTimestamp.Format(Effective),
    };
}
