using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platformctl.Produce.Generation;

namespace Platformctl.Tests;

public sealed partial class EnvelopeTests
{
    private const long Seed = 11;

    // CONTRACTS §2: the envelope's fields, nothing else.
    private static readonly HashSet<string> EnvelopeFields =
    [
        "event_id", "event_type", "ts_utc", "manifest_fingerprint", "parameter_hash", "seed", "scenario_id", "platform_run_id",
        "scenario_run_id", "emitted_at_utc", "schema_version", "trace_id", "span_id", "parent_event_id", "producer", "payload",
    ];

    private static readonly string[] TransactionRequired =
        ["transaction_id", "account_id", "card_id", "merchant_id", "flow_id", "amount", "currency", "mcc", "channel", "device_id"];

    private static readonly string[] TransactionOptional = ["ip_country"];

    private static readonly string[] AnchorRequired = ["flow_id", "account_id", "device_id", "channel", "session_started_at_utc", "ip_country"];

    private static readonly string[] AnchorOptional = ["merchant_id"];

    private static readonly string[] Channels = ["card_present", "card_not_present", "ecommerce"];

    private readonly IReadOnlyList<GeneratedFlow> flows = TestScenarios.Flows(Seed, 5_000);

    [Fact]
    public void Every_envelope_carries_well_formed_pins()
    {
        var manifest = TestScenarios.Manifest(Seed);
        foreach (var envelope in Parsed())
        {
            Assert.Subset(EnvelopeFields, envelope.Select(p => p.Key).ToHashSet());
            Assert.Matches(Hex32(), (string)envelope["event_id"]!);
            Assert.Matches(Hex32(), (string)envelope["scenario_run_id"]!);
            Assert.True(Digests.IsHex64((string?)envelope["manifest_fingerprint"]));
            Assert.True(Digests.IsHex64((string?)envelope["parameter_hash"]));
            Assert.True(PlatformRunId.IsValid((string?)envelope["platform_run_id"]));
            Assert.Equal(TestScenarios.RunId, (string?)envelope["platform_run_id"]);
            Assert.Equal(manifest.ScenarioId, (string?)envelope["scenario_id"]);
            Assert.Equal(Seed, (long)envelope["seed"]!);
            Assert.Equal("v1", (string?)envelope["schema_version"]);
            var ts = (string)envelope["ts_utc"]!;
            Assert.True(UtcTimestamp.TryParse(ts, out var parsed), ts);
            Assert.Equal(ts, UtcTimestamp.Format(parsed));
        }
    }

    [Fact]
    public void Pins_are_the_contract_digests_of_the_scenario()
    {
        var manifest = TestScenarios.Manifest(Seed);
        var parameters = JsonSerializer.SerializeToNode(manifest.Parameters, PlatformJson.Options)!;
        // Built by hand from the contract's field names, not from the producer's records.
        var expectedFingerprint = Digests.Of(new JsonObject
        {
            ["scenario_id"] = manifest.ScenarioId,
            ["seed"] = Seed,
            ["generator_version"] = ScenarioManifest.CurrentGeneratorVersion,
            ["parameters"] = parameters.DeepClone(),
        });
        var expectedRunId = Digests.Of(new JsonObject
        {
            ["seed"] = Seed,
            ["scenario_id"] = manifest.ScenarioId,
            ["generator_version"] = ScenarioManifest.CurrentGeneratorVersion,
        })[..32];

        Assert.All(flows.SelectMany(f => new[] { f.Anchor, f.Transaction }), envelope =>
        {
            Assert.Equal(expectedFingerprint, envelope.ManifestFingerprint);
            Assert.Equal(Digests.Of(parameters), envelope.ParameterHash);
            Assert.Equal(expectedRunId, envelope.ScenarioRunId);
        });
    }

    [Fact]
    public void Event_ids_are_unique()
    {
        var ids = flows.SelectMany(f => new[] { f.Anchor.EventId, f.Transaction.EventId }).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Payloads_have_exactly_the_contract_fields_and_formats()
    {
        foreach (var envelope in Parsed())
        {
            var payload = envelope["payload"]!.AsObject();
            var type = (string)envelope["event_type"]!;
            var (required, optional) = type switch
            {
                "transaction" => (TransactionRequired, TransactionOptional),
                "flow_anchor" => (AnchorRequired, AnchorOptional),
                _ => throw new Xunit.Sdk.XunitException($"unexpected event_type {type}"),
            };
            Assert.Subset(required.Concat(optional).ToHashSet(), payload.Select(p => p.Key).ToHashSet());
            Assert.All(required, field => Assert.True(payload.ContainsKey(field), $"{type} lacks {field}"));
            Assert.Contains((string)payload["channel"]!, Channels);
            if (payload["ip_country"] is { } country)
            {
                Assert.Matches(CountryCode(), (string)country!);
            }

            if (type == "transaction")
            {
                var amount = payload["amount"]!.GetValue<decimal>();
                Assert.True(amount > 0, $"amount {amount}");
                Assert.Equal(amount, Math.Round(amount, 2));
                Assert.Matches(CurrencyCode(), (string)payload["currency"]!);
                Assert.Matches(Mcc(), (string)payload["mcc"]!);
            }
            else
            {
                Assert.True(UtcTimestamp.TryParse((string?)payload["session_started_at_utc"], out _));
            }
        }
    }

    [Fact]
    public void Every_flow_anchor_comes_directly_before_its_transaction_and_describes_its_session()
    {
        var lines = flows.SelectMany(f => new[] { f.Anchor, f.Transaction }).Select(e => JsonNode.Parse(e.ToCanonicalJson())!).ToList();
        var anchorsSeen = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var payload = line["payload"]!;
            var flowId = (string)payload["flow_id"]!;
            if ((string)line["event_type"]! == "flow_anchor")
            {
                Assert.True(anchorsSeen.TryAdd(flowId, line), $"flow {flowId} has two anchors");
                continue;
            }

            Assert.True(anchorsSeen.TryGetValue(flowId, out var anchor), $"transaction of flow {flowId} before its anchor");
            var session = anchor["payload"]!;
            Assert.Equal((string?)anchor["event_id"], (string?)line["parent_event_id"]);
            Assert.Equal((string?)session["account_id"], (string?)payload["account_id"]);
            Assert.Equal((string?)session["device_id"], (string?)payload["device_id"]);
            Assert.Equal((string?)session["channel"], (string?)payload["channel"]);
            Assert.Equal((string?)session["ip_country"], (string?)payload["ip_country"]);
            Assert.Equal((string?)session["merchant_id"], (string?)payload["merchant_id"]);
            Assert.True(
                UtcTimestamp.Parse((string)anchor["ts_utc"]!) <= UtcTimestamp.Parse((string)line["ts_utc"]!),
                $"flow {flowId}: the session starts after the transaction");
        }

        Assert.Equal(flows.Count, anchorsSeen.Count);
    }

    [Fact]
    public void Transactions_are_in_time_order()
    {
        var times = flows.Select(f => f.Transaction.TsUtc).ToList();

        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.First <= pair.Second, string.Create(CultureInfo.InvariantCulture, $"{pair.First:O} > {pair.Second:O}")));
    }

    private IEnumerable<JsonObject> Parsed() =>
        flows.SelectMany(f => new[] { f.Anchor, f.Transaction }).Select(e => JsonNode.Parse(e.ToCanonicalJson())!.AsObject());

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Hex32();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex("^[0-9]{4}$")]
    private static partial Regex Mcc();
}
