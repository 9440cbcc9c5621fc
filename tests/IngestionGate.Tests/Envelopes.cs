using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Tests.Corpus;
using Platform.Substrate.Identity;

namespace IngestionGate.Tests;

/// <summary>Valid sample envelopes to mutate in tests, and the callers that send them.</summary>
internal static class Envelopes
{
    public const string RunId = "platform_20261127T213503Z";
    public const string ManifestFingerprint = "3f9a1c0e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468";

    public static ActorContext TrafficProducer => CorpusActors.ByApiKey["traffic"];

    public static ActorContext ContextProducer => CorpusActors.ByApiKey["context"];

    public static JsonObject Transaction(string eventId = "evt-0001") => new()
    {
        ["event_id"] = eventId,
        ["event_type"] = "transaction",
        ["schema_version"] = "v1",
        ["ts_utc"] = "2026-11-27T21:35:03.123456Z",
        ["platform_run_id"] = RunId,
        ["scenario_run_id"] = "5e2d8a41c7b39f06e4d2a8c1b7f35e90",
        ["scenario_id"] = "baseline_card_traffic",
        ["seed"] = 42,
        ["manifest_fingerprint"] = ManifestFingerprint,
        ["parameter_hash"] = "7c1e9a3b5d2f4068e1a3c5b7d9f10234e5a7c9b1d3f50216e8a0c2b4d6f80137",
        ["payload"] = new JsonObject
        {
            ["transaction_id"] = "txn-0001",
            ["account_id"] = "acct-0001",
            ["card_id"] = "card-0001",
            ["merchant_id"] = "merch-0001",
            ["flow_id"] = "flow-0001",
            ["amount"] = 42.5,
            ["currency"] = "EUR",
            ["mcc"] = "5411",
            ["channel"] = "card_present",
            ["device_id"] = "dev-0001",
            ["ip_country"] = "DE",
        },
    };

    public static JsonObject FlowAnchor(string eventId = "fa-0001")
    {
        var envelope = Transaction(eventId);
        envelope["event_type"] = "flow_anchor";
        envelope["payload"] = new JsonObject
        {
            ["flow_id"] = "flow-0001",
            ["account_id"] = "acct-0001",
            ["device_id"] = "dev-0001",
            ["channel"] = "ecommerce",
            ["session_started_at_utc"] = "2026-11-27T21:30:00Z",
            ["ip_country"] = "DE",
        };
        return envelope;
    }

    public static byte[] Bytes(this JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    public static JsonElement Element(this JsonNode node) => JsonSerializer.SerializeToElement(node);
}
