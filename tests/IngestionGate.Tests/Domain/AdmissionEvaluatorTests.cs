using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;

namespace IngestionGate.Tests.Domain;

public sealed class AdmissionEvaluatorTests
{
    private static readonly AdmissionEvaluator Evaluator = TestPolicy.Evaluator;

    private static AdmissionOutcome Evaluate(JsonNode envelope, ActorContext? caller = null) =>
        Evaluator.Evaluate(envelope.Bytes(), caller ?? Envelopes.TrafficProducer);

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_valid_transaction_is_admissible_with_every_derived_field()
    {
        var envelope = Envelopes.Transaction("evt-42");
        var admissible = Assert.IsType<Admissible>(Evaluate(envelope));

        Assert.Equal("evt-42", admissible.EventId);
        Assert.Equal("transaction", admissible.EventType);
        Assert.Equal("traffic", admissible.EventClass);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(1234560), admissible.TsUtc);
        Assert.Equal(Envelopes.RunId, admissible.PlatformRunId);
        Assert.Equal(Envelopes.ManifestFingerprint, admissible.ManifestFingerprint);
        Assert.Equal("v1", admissible.SchemaVersion);
        Assert.Same(PlatformNames.Streams.Traffic, admissible.Stream);
        Assert.Equal("traffic_v0", admissible.PartitioningProfileId);
        Assert.Empty(admissible.ReasonCodes);
        Assert.Equal(IgActor.From(Envelopes.TrafficProducer), admissible.Actor);

        // dedupe_key: plain SHA-256 of the joined string; partition_key: H("flow-0001") = SHA-256 of the JSON string.
        Assert.Equal(Sha256Hex($"{Envelopes.RunId}:traffic:evt-42"), admissible.DedupeKey);
        Assert.Equal(Sha256Hex("\"flow-0001\""), admissible.PartitionKey);

        // payload_hash = H({event_type, schema_version, payload}), written out canonically by hand.
        var payload = Encoding.UTF8.GetString(CanonicalJson.Canonicalize(envelope["payload"]!.Bytes()));
        Assert.Equal(new PayloadHash("sha256", Sha256Hex($$"""{"event_type":"transaction","payload":{{payload}},"schema_version":"v1"}""")), admissible.PayloadHash);

        // The record is the producer's envelope, canonical, nothing added or removed.
        Assert.Equal(CanonicalJson.Canonicalize(envelope.Bytes()), admissible.Record);
    }

    [Fact]
    public void A_flow_anchor_goes_to_the_context_stream()
    {
        var admissible = Assert.IsType<Admissible>(Evaluate(Envelopes.FlowAnchor(), Envelopes.ContextProducer));
        Assert.Equal("context", admissible.EventClass);
        Assert.Same(PlatformNames.Streams.Context, admissible.Stream);
        Assert.Equal(Sha256Hex($"{Envelopes.RunId}:context:fa-0001"), admissible.DedupeKey);
    }

    [Fact]
    public void Formatting_and_member_order_do_not_change_the_record_or_any_digest()
    {
        var compact = Assert.IsType<Admissible>(Evaluate(Envelopes.Transaction()));
        var reordered = new JsonObject(Envelopes.Transaction().Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var pretty = Encoding.UTF8.GetBytes(reordered.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var other = Assert.IsType<Admissible>(Evaluator.Evaluate(pretty, Envelopes.TrafficProducer));

        Assert.Equal(compact.Record, other.Record);
        Assert.Equal(compact.PayloadHash, other.PayloadHash);
        Assert.Equal(compact.DedupeKey, other.DedupeKey);
        Assert.Equal(compact.PartitionKey, other.PartitionKey);
    }

    [Fact]
    public void The_payload_hash_ignores_the_envelope_outside_event_type_schema_version_and_payload()
    {
        var original = Assert.IsType<Admissible>(Evaluate(Envelopes.Transaction()));
        var retimed = Envelopes.Transaction();
        retimed["ts_utc"] = "2026-11-28T00:00:00Z";
        retimed["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736";
        var changedPayload = Envelopes.Transaction();
        changedPayload["payload"]!["amount"] = 42.51;

        Assert.Equal(original.PayloadHash, Assert.IsType<Admissible>(Evaluate(retimed)).PayloadHash);
        Assert.NotEqual(original.PayloadHash, Assert.IsType<Admissible>(Evaluate(changedPayload)).PayloadHash);
    }

    [Theory]
    [InlineData("2026-11-27T21:35:03Z", 0)]
    [InlineData("2026-11-27T21:35:03.1Z", 1_000_000)]
    [InlineData("2026-11-27T21:35:03.123Z", 1_230_000)]
    [InlineData("2026-11-27T21:35:03.000001Z", 10)]
    public void Producer_timestamps_with_0_to_6_fraction_digits_are_normalised_to_microseconds(string tsUtc, long ticks)
    {
        var envelope = Envelopes.Transaction();
        envelope["ts_utc"] = tsUtc;
        var admissible = Assert.IsType<Admissible>(Evaluate(envelope));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(ticks), admissible.TsUtc);
        Assert.Equal(TimeSpan.Zero, admissible.TsUtc.Offset);
    }

    [Fact]
    public void A_body_that_is_not_json_is_malformed_and_never_quarantined()
    {
        Assert.Contains("not valid JSON", Assert.IsType<Malformed>(Evaluator.Evaluate("{\"event_id\":"u8.ToArray(), Envelopes.TrafficProducer)).Detail, StringComparison.Ordinal);
        Assert.Contains("UTF-8", Assert.IsType<Malformed>(Evaluator.Evaluate(new byte[] { 0x22, 0xff, 0x22 }, Envelopes.TrafficProducer)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_caller_without_the_class_role_is_forbidden_before_the_envelope_is_checked()
    {
        var broken = Envelopes.Transaction();
        broken.Remove("ts_utc");
        broken.Remove("platform_run_id");

        Assert.Equal(new Forbidden("traffic"), Evaluate(broken, Envelopes.ContextProducer));
        Assert.Equal(new Forbidden("context"), Evaluate(Envelopes.FlowAnchor(), Envelopes.TrafficProducer));
    }

    [Fact]
    public void An_unknown_event_type_has_no_class_to_authorize_and_is_quarantined_for_every_producer()
    {
        var envelope = Envelopes.Transaction();
        envelope["event_type"] = "refund";

        foreach (var caller in new[] { Envelopes.TrafficProducer, Envelopes.ContextProducer })
        {
            var quarantine = Assert.IsType<Quarantine>(Evaluate(envelope, caller));
            Assert.Equal([ReasonCode.SchemaPolicyMissing], quarantine.ReasonCodes);
            Assert.Null(quarantine.Event!.EventClass);
        }
    }

    [Fact]
    public void A_quarantine_keeps_the_envelope_without_its_payload_and_the_payload_apart()
    {
        var envelope = Envelopes.Transaction();
        envelope["payload"]!["amount"] = -1;
        var quarantine = Assert.IsType<Quarantine>(Evaluate(envelope));

        Assert.Equal([ReasonCode.SchemaFail], quarantine.ReasonCodes);
        var kept = quarantine.Envelope!.Value;
        Assert.False(kept.TryGetProperty("payload", out _));
        var withoutPayload = envelope.DeepClone().AsObject();
        withoutPayload.Remove("payload");
        Assert.Equal(CanonicalJson.Canonicalize(withoutPayload.Bytes()), CanonicalJson.Serialize(kept));
        Assert.Equal(CanonicalJson.Canonicalize(envelope["payload"]!.Bytes()), quarantine.Payload);

        Assert.Equal(new EventFacts("evt-0001", "transaction", "traffic", admittedTs(), Envelopes.ManifestFingerprint, Envelopes.RunId), quarantine.Event);
        Assert.Equal(Envelopes.RunId, quarantine.PlatformRunId);
        Assert.Equal(IgActor.From(Envelopes.TrafficProducer), quarantine.Actor);
        Assert.Null(quarantine.DedupeKey);

        static DateTimeOffset admittedTs() => new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(1234560);
    }

    [Fact]
    public void An_envelope_failing_its_schema_yields_no_trusted_facts_but_files_under_a_valid_run()
    {
        var envelope = Envelopes.Transaction();
        envelope["manifest_fingerprint"] = "not-a-digest";
        var quarantine = Assert.IsType<Quarantine>(Evaluate(envelope));

        Assert.Equal([ReasonCode.EnvelopeInvalid], quarantine.ReasonCodes);
        Assert.Null(quarantine.Event);
        Assert.Equal(Envelopes.RunId, quarantine.PlatformRunId);

        envelope["platform_run_id"] = "platform_20261341T000000Z";
        Assert.Null(Assert.IsType<Quarantine>(Evaluate(envelope)).PlatformRunId);
    }

    [Theory]
    [InlineData("ts_utc", "2026-02-30T10:00:00Z")]
    [InlineData("ts_utc", "2016-12-31T23:59:60Z")]
    [InlineData("emitted_at_utc", "2026-13-01T00:00:00Z")]
    [InlineData("platform_run_id", "platform_20260230T000000Z")]
    public void Values_matching_the_schema_pattern_but_naming_no_real_instant_are_envelope_invalid(string member, string value)
    {
        var envelope = Envelopes.Transaction();
        envelope[member] = value;
        Assert.Equal([ReasonCode.EnvelopeInvalid], Assert.IsType<Quarantine>(Evaluate(envelope)).ReasonCodes);
    }

    [Fact]
    public void Json_that_is_not_an_object_is_quarantined_whole_with_no_envelope()
    {
        var quarantine = Assert.IsType<Quarantine>(Evaluator.Evaluate("[1, 2]"u8.ToArray(), Envelopes.TrafficProducer));

        Assert.Equal([ReasonCode.EnvelopeInvalid], quarantine.ReasonCodes);
        Assert.Null(quarantine.Envelope);
        Assert.Null(quarantine.Event);
        Assert.Null(quarantine.PlatformRunId);
        Assert.Equal("[1,2]"u8.ToArray(), quarantine.Payload);
    }

    [Fact]
    public void Duplicate_member_names_make_the_envelope_unreadable_and_the_raw_bytes_the_evidence()
    {
        var body = Envelopes.Transaction().ToJsonString().Replace("\"amount\":42.5", "\"amount\":42.5,\"amount\":4250", StringComparison.Ordinal);
        var quarantine = Assert.IsType<Quarantine>(Evaluator.Evaluate(Encoding.UTF8.GetBytes(body), Envelopes.TrafficProducer));

        Assert.Equal([ReasonCode.EnvelopeInvalid], quarantine.ReasonCodes);
        Assert.Null(quarantine.Envelope);
        Assert.Equal(Encoding.UTF8.GetBytes(body), quarantine.Payload);
    }

    [Fact]
    public void Duplicate_event_type_members_are_refused_before_authorization_can_read_either()
    {
        var body = Envelopes.FlowAnchor().ToJsonString().Replace("\"event_type\":\"flow_anchor\"", "\"event_type\":\"flow_anchor\",\"event_type\":\"transaction\"", StringComparison.Ordinal);
        var outcome = Evaluator.Evaluate(Encoding.UTF8.GetBytes(body), Envelopes.TrafficProducer);
        Assert.Equal([ReasonCode.EnvelopeInvalid], Assert.IsType<Quarantine>(outcome).ReasonCodes);
    }

    [Theory]
    [InlineData("platform_run_id")]
    [InlineData("scenario_run_id")]
    [InlineData("parameter_hash")]
    [InlineData("scenario_id")]
    [InlineData("seed")]
    public void A_missing_required_pin_of_the_class_is_pins_missing(string pin)
    {
        var envelope = Envelopes.Transaction();
        envelope.Remove(pin);
        var quarantine = Assert.IsType<Quarantine>(Evaluate(envelope));
        Assert.Equal([ReasonCode.PinsMissing], quarantine.ReasonCodes);
        Assert.NotNull(quarantine.Event);
    }

    [Fact]
    public void A_known_class_without_schema_policy_is_schema_policy_missing_after_its_pins()
    {
        var rtdl = Corpus.CorpusActors.ByApiKey["rtdl"];
        var decision = Envelopes.Transaction();
        decision["event_type"] = "decision_response";

        var quarantine = Assert.IsType<Quarantine>(Evaluate(decision, rtdl));
        Assert.Equal([ReasonCode.SchemaPolicyMissing], quarantine.ReasonCodes);
        Assert.Equal("rtdl_decision", quarantine.Event!.EventClass);

        decision.Remove("scenario_run_id");
        Assert.Equal([ReasonCode.PinsMissing], Assert.IsType<Quarantine>(Evaluate(decision, rtdl)).ReasonCodes);
    }

    [Theory]
    [InlineData(null, ReasonCode.SchemaVersionRequired)]
    [InlineData("v2", ReasonCode.SchemaVersionNotAllowed)]
    [InlineData("v0", ReasonCode.SchemaVersionNotAllowed)]
    public void The_schema_version_is_checked_against_the_policy_before_the_payload(string? version, string reason)
    {
        var envelope = Envelopes.Transaction();
        envelope["payload"]!["amount"] = "not even a number";
        if (version is null)
        {
            envelope.Remove("schema_version");
        }
        else
        {
            envelope["schema_version"] = version;
        }

        Assert.Equal([reason], Assert.IsType<Quarantine>(Evaluate(envelope)).ReasonCodes);
    }

    [Fact]
    public void A_missing_payload_fails_the_payload_schema_and_leaves_no_payload_evidence()
    {
        var envelope = Envelopes.Transaction();
        envelope.Remove("payload");
        var quarantine = Assert.IsType<Quarantine>(Evaluate(envelope));

        Assert.Equal([ReasonCode.SchemaFail], quarantine.ReasonCodes);
        Assert.Null(quarantine.Payload);
        Assert.NotNull(quarantine.Envelope);
    }

    [Fact]
    public void When_the_policy_does_not_require_a_schema_version_the_hash_leaves_it_out()
    {
        using var policy = new PolicyDirectory().Edit(IgPolicy.SchemaPolicyPath, p => p["event_types"]!["transaction"]!["schema_version_required"] = false);
        var envelope = Envelopes.Transaction();
        envelope.Remove("schema_version");

        var admissible = Assert.IsType<Admissible>(policy.Evaluator().Evaluate(envelope.Bytes(), Envelopes.TrafficProducer));
        Assert.Null(admissible.SchemaVersion);
        var payload = Encoding.UTF8.GetString(CanonicalJson.Canonicalize(envelope["payload"]!.Bytes()));
        Assert.Equal(Sha256Hex($$"""{"event_type":"transaction","payload":{{payload}}}"""), admissible.PayloadHash.Hex);
    }

    [Fact]
    public void The_first_non_empty_key_path_makes_the_partition_key_and_none_is_partition_key_missing()
    {
        using var policy = new PolicyDirectory().Edit(IgPolicy.PartitioningProfilesPath, p =>
            p["profiles"]!["traffic_v0"]!["key_precedence"] = new JsonArray("payload.case_id", "payload.account_id"));
        var evaluator = policy.Evaluator();

        var admissible = Assert.IsType<Admissible>(evaluator.Evaluate(Envelopes.Transaction().Bytes(), Envelopes.TrafficProducer));
        Assert.Equal(Sha256Hex("\"acct-0001\""), admissible.PartitionKey);

        var noKey = Envelopes.Transaction();
        noKey["payload"]!.AsObject().Remove("account_id");
        using var relaxed = new PolicyDirectory()
            .Edit(IgPolicy.PartitioningProfilesPath, p => p["profiles"]!["traffic_v0"]!["key_precedence"] = new JsonArray("payload.case_id", "payload.account_id"))
            .Edit("payloads/transaction.v1.schema.json", s => s["required"]!.AsArray().RemoveAt(1));
        var quarantine = Assert.IsType<Quarantine>(relaxed.Evaluator().Evaluate(noKey.Bytes(), Envelopes.TrafficProducer));
        Assert.Equal([ReasonCode.PartitionKeyMissing], quarantine.ReasonCodes);
        Assert.Equal(Sha256Hex($"{Envelopes.RunId}:traffic:evt-0001"), quarantine.DedupeKey);
        Assert.NotNull(quarantine.PayloadHash);
    }

    [Theory]
    [InlineData("SYSTEM::corpus-traffic", false)]
    [InlineData("corpus-traffic", false)]
    [InlineData("SYSTEM::ig", true)]
    [InlineData("HUMAN::corpus-traffic", true)]
    public void A_producer_field_naming_someone_else_is_noted_and_changes_nothing(string producer, bool noted)
    {
        var envelope = Envelopes.Transaction();
        envelope["producer"] = producer;
        var admissible = Assert.IsType<Admissible>(Evaluate(envelope));

        Assert.Equal(noted ? [ReasonCode.ActorClaimIgnored] : [], admissible.ReasonCodes);
        Assert.Equal(IgActor.From(Envelopes.TrafficProducer), admissible.Actor);
    }

    [Theory]
    [InlineData("actor_id")]
    [InlineData("actor")]
    [InlineData("source_type")]
    [InlineData("auth_mode")]
    [InlineData("principal")]
    public void A_payload_claiming_an_actor_is_noted_next_to_the_reason(string member)
    {
        var envelope = Envelopes.Transaction();
        envelope["payload"]![member] = "HUMAN::mallory";
        var quarantine = Assert.IsType<Quarantine>(Evaluate(envelope));

        Assert.Equal([ReasonCode.SchemaFail, ReasonCode.ActorClaimIgnored], quarantine.ReasonCodes);
        Assert.Equal(Envelopes.TrafficProducer.ActorId, quarantine.Actor.ActorId);
    }

    [Fact]
    public void A_batch_item_evaluates_exactly_like_the_same_single_body()
    {
        var envelope = Envelopes.Transaction();
        var single = Assert.IsType<Admissible>(Evaluate(envelope));
        var item = Assert.IsType<Admissible>(Evaluator.Evaluate(envelope.Element(), Envelopes.TrafficProducer));

        Assert.Equal(single.Record, item.Record);
        Assert.Equal(single with { Record = item.Record, ReasonCodes = item.ReasonCodes }, item);
    }

    [Fact]
    public void The_quarantine_id_is_stable_for_a_retry_and_differs_per_caller_and_per_content()
    {
        var envelope = Envelopes.Transaction();
        envelope["payload"]!["amount"] = 0;
        var first = Assert.IsType<Quarantine>(Evaluate(envelope)).QuarantineId;

        Assert.Equal(first, Assert.IsType<Quarantine>(Evaluate(envelope)).QuarantineId);
        Assert.NotEqual(first, Assert.IsType<Quarantine>(Evaluate(envelope, Corpus.CorpusActors.ByApiKey["traffic_context"])).QuarantineId);
        envelope["payload"]!["amount"] = -1;
        Assert.NotEqual(first, Assert.IsType<Quarantine>(Evaluate(envelope)).QuarantineId);
    }

    [Fact]
    public void A_payload_hash_mismatch_found_at_dedupe_quarantines_the_admissible_event()
    {
        var envelope = Envelopes.Transaction();
        envelope["producer"] = "SYSTEM::ig";
        var admissible = Assert.IsType<Admissible>(Evaluate(envelope));
        var quarantine = admissible.ToQuarantine(ReasonCode.PayloadHashMismatch);

        Assert.Equal([ReasonCode.PayloadHashMismatch, ReasonCode.ActorClaimIgnored], quarantine.ReasonCodes);
        Assert.Equal(admissible.DedupeKey, quarantine.DedupeKey);
        Assert.Equal(admissible.PayloadHash, quarantine.PayloadHash);
        Assert.Equal(admissible.EventId, quarantine.Event!.EventId);
        Assert.Equal("traffic", quarantine.Event.EventClass);
        Assert.Equal(CanonicalJson.Canonicalize(envelope["payload"]!.Bytes()), quarantine.Payload);
        Assert.False(quarantine.Envelope!.Value.TryGetProperty("payload", out _));
        Assert.Throws<ArgumentException>(() => admissible.ToQuarantine(ReasonCode.ActorClaimIgnored));
    }
}
