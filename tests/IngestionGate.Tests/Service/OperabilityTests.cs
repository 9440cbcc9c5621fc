using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Platform.Substrate.Errors;
using Platform.Substrate.Telemetry;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary>What operators and orchestrators rely on: anonymous health probes and corridor counters per outcome.</summary>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed class OperabilityTests(IgServiceFixture fixture)
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_probes_answer_without_credentials(string path)
    {
        using var client = new HttpClient { BaseAddress = fixture.Ig.BaseAddress };

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_answers_without_credentials_and_lists_the_v1_routes()
    {
        using var client = new HttpClient { BaseAddress = fixture.Ig.BaseAddress };

        using var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var operations = paths.EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "POST /v1/events",
                "POST /v1/events:batch",
                "GET /v1/receipts/{receipt_id}",
                "GET /v1/admissions/{dedupe_key}",
                "POST /v1/admissions/{dedupe_key}:resolve",
                "GET /v1/runs/{platform_run_id}/summary",
            },
            operations);
    }

    [Theory]
    [InlineData("IngestionGate:RateLimitBurst", "499", "RateLimitBurst")]
    [InlineData("IngestionGate:StaleInFlightAfter", "00:00:05", "StaleInFlightAfter")]
    [InlineData("PLATFORM_ENV", "staging", "PLATFORM_ENV")]
    public void A_bad_setting_refuses_to_start(string setting, string value, string named)
    {
        var failure = Assert.Throws<PlatformStartupException>(() => IngestionGateApp.Build([], builder =>
        {
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["PLATFORM_ENV"] = "local_parity", [setting] = value });
        }));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_decision_and_refusal_is_counted_on_the_admission_corridor()
    {
        var outcomes = new ConcurrentBag<(string Outcome, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Name: CorridorCounters.InstrumentName, Meter.Name: CorridorCounters.MeterName })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? corridor = null, outcome = null, reason = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "corridor": corridor = tag.Value as string; break;
                    case "outcome": outcome = tag.Value as string; break;
                    case "reason_code": reason = tag.Value as string; break;
                }
            }

            if (corridor == "ig.admission" && outcome is not null)
            {
                outcomes.Add((outcome, reason));
            }
        });
        listener.Start();

        var producer = fixture.Ig.Client("traffic");
        var envelope = Transaction(FreshRunId(), Unique("evt"), Unique("flow"));
        await producer.PostEventAsync(envelope);
        await producer.PostEventAsync(envelope);
        envelope["payload"]!["amount"] = 1.25;
        await producer.PostEventAsync(envelope);
        await producer.PostEventAsync(envelope, policyRev: new string('0', 64));

        Assert.Contains(("admitted", null), outcomes);
        Assert.Contains(("published", null), outcomes);
        Assert.Contains(("duplicate", null), outcomes);
        Assert.Contains(("quarantined", "PAYLOAD_HASH_MISMATCH"), outcomes);
        Assert.Contains(("refused", "POLICY_REV_MISMATCH"), outcomes);
    }
}
