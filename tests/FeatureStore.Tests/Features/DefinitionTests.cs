using System.Text.Json;
using Platform.Features;

namespace FeatureStore.Tests.Features;

/// <summary>The vector schema is stable and ordered, and its digest pins every part of the definition.</summary>
public sealed class DefinitionTests
{
    [Fact]
    public void The_vector_schema_is_ordered_unique_and_typed()
    {
        var set = FraudCore.V1;

        Assert.Equal("fraud_core", set.FeatureSetId);
        Assert.Equal("v1", set.FeatureSetVersion);
        Assert.Equal("txn_amount", set.Features[0].Name);
        Assert.Equal(set.Features.Count, set.Features.Select(f => f.Name).Distinct().Count());
        Assert.All(set.Features.Where(f => f.Aggregate is FeatureAggregate.Count or FeatureAggregate.DistinctDevices), f => Assert.Equal(FeatureValueType.Int64, f.Type));
        Assert.Equal(TimeSpan.FromDays(7), set.Horizon);
        foreach (var window in new[] { "1h", "24h", "7d" })
        {
            foreach (var name in new[] { "acct_txn_count_", "acct_amount_sum_", "acct_amount_mean_", "merch_txn_count_", "merch_amount_sum_", "merch_amount_mean_" })
            {
                Assert.Contains(set.Features, f => f.Name == name + window);
            }
        }
    }

    [Fact]
    public void The_digest_is_hex64_stable_and_moves_with_any_change_to_the_definition()
    {
        var set = FraudCore.V1;
        var same = new FeatureSetDefinition(set.FeatureSetId, set.FeatureSetVersion, [.. set.Features], set.AllowedLateness);
        Assert.Matches("^[0-9a-f]{64}$", set.DefinitionDigest);
        Assert.Equal(set.DefinitionDigest, same.DefinitionDigest);

        var reordered = new FeatureSetDefinition(set.FeatureSetId, set.FeatureSetVersion, [.. set.Features.Reverse()], set.AllowedLateness);
        var otherWindow = new FeatureSetDefinition(set.FeatureSetId, set.FeatureSetVersion, [.. set.Features.Select((f, i) => i == 1 ? f with { Window = TimeSpan.FromHours(2) } : f)], set.AllowedLateness);
        var otherVersion = new FeatureSetDefinition(set.FeatureSetId, "v2", [.. set.Features], set.AllowedLateness);
        var otherLateness = new FeatureSetDefinition(set.FeatureSetId, set.FeatureSetVersion, [.. set.Features], TimeSpan.FromMinutes(1));
        var digests = new[] { set, reordered, otherWindow, otherVersion, otherLateness }.Select(d => d.DefinitionDigest).ToList();
        Assert.Equal(digests.Count, digests.Distinct().Count());
    }

    [Fact]
    public void A_transaction_envelope_becomes_a_feature_event_and_anything_else_is_refused_with_a_reason()
    {
        var envelope = JsonSerializer.Deserialize<JsonElement>("""
            {"event_id":"e1","event_type":"transaction","ts_utc":"2026-11-20T12:00:00.5Z","manifest_fingerprint":"00",
             "payload":{"account_id":"a","merchant_id":"m","card_id":"c","device_id":"d","amount":19.99}}
            """);
        Assert.True(FeatureEvent.TryFromEnvelope(envelope, out var parsed, out _));
        Assert.Equal(new FeatureEvent("e1", new DateTimeOffset(2026, 11, 20, 12, 0, 0, 500, TimeSpan.Zero), "a", "m", "c", "d", 1999), parsed);

        foreach (var bad in new[]
        {
            """{"event_id":"e1","event_type":"flow_anchor","ts_utc":"2026-11-20T12:00:00Z","payload":{}}""",
            """{"event_id":"e1","event_type":"transaction","ts_utc":"2026-11-20T12:00:00+01:00","payload":{"account_id":"a","merchant_id":"m","card_id":"c","device_id":"d","amount":1}}""",
            """{"event_id":"e1","event_type":"transaction","ts_utc":"2026-11-20T12:00:00Z","payload":{"account_id":"a","merchant_id":"m","card_id":"c","device_id":"d","amount":1.001}}""",
            """{"event_id":"e1","event_type":"transaction","ts_utc":"2026-11-20T12:00:00Z","payload":{"account_id":"a","card_id":"c","device_id":"d","amount":1}}""",
        })
        {
            Assert.False(FeatureEvent.TryFromEnvelope(JsonSerializer.Deserialize<JsonElement>(bad), out _, out var reason), bad);
            Assert.False(string.IsNullOrEmpty(reason));
        }
    }
}
