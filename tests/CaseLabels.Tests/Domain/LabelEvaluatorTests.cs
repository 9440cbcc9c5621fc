using System.Text.Json;
using CaseLabels.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Domain;

public sealed class LabelEvaluatorTests
{
    private readonly LabelEvaluator evaluator = new(Policy);

    [Fact]
    public void The_assertion_id_is_hex32_of_the_key_subject_type_actor_and_observation()
    {
        var assertion = Assertion();
        var key = JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["platform_run_id"] = assertion.PlatformRunId,
            ["event_id"] = assertion.EventId,
            ["label_type"] = assertion.LabelType,
            ["actor_id"] = Feed.ActorId,
            ["observed_time"] = UtcTimestamp.Format(assertion.ObservedTime),
        });

        Assert.Equal(Digests.Hex32(Digests.Of(key)), evaluator.Evaluate(assertion, Feed).AssertionId);
    }

    [Fact]
    public void The_payload_hash_covers_what_the_label_says_and_only_that()
    {
        var assertion = Assertion(taxonomyVersion: "label_store.taxonomy.v0");
        var content = JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["platform_run_id"] = assertion.PlatformRunId,
            ["event_id"] = assertion.EventId,
            ["label_type"] = assertion.LabelType,
            ["value"] = assertion.Value,
            ["observed_time"] = UtcTimestamp.Format(assertion.ObservedTime),
            ["effective_time"] = UtcTimestamp.Format(assertion.EffectiveTime),
            ["taxonomy_version"] = "label_store.taxonomy.v0",
        });

        const string InForce = "label_store.taxonomy.v0";
        Assert.Equal(Digests.Of(content), assertion.PayloadHash(InForce));
        Assert.NotEqual(assertion.PayloadHash(InForce), (assertion with { Value = "NO_CHARGEBACK" }).PayloadHash(InForce));
        Assert.NotEqual(assertion.PayloadHash(InForce), (assertion with { EffectiveTime = Effective.AddSeconds(1) }).PayloadHash(InForce));
        // Not naming the taxonomy means the one in force: the same assertion, the same hash.
        Assert.Equal(assertion.PayloadHash(InForce), (assertion with { TaxonomyVersion = null }).PayloadHash(InForce));
        Assert.NotEqual(assertion.PayloadHash(InForce), (assertion with { TaxonomyVersion = null }).PayloadHash("label_store.taxonomy.v1"));
    }

    [Fact]
    public void Who_asserts_and_when_it_was_observed_make_different_assertions_what_it_says_does_not()
    {
        var assertion = Assertion();
        var id = evaluator.Evaluate(assertion, Feed).AssertionId;

        Assert.Equal(id, evaluator.Evaluate(assertion with { Value = "NO_CHARGEBACK", EffectiveTime = Effective.AddHours(1) }, Feed).AssertionId);
        Assert.NotEqual(id, evaluator.Evaluate(assertion, Analyst).AssertionId);
        Assert.NotEqual(id, evaluator.Evaluate(assertion with { ObservedTime = Observed.AddDays(1) }, Feed).AssertionId);
        Assert.NotEqual(id, evaluator.Evaluate(assertion with { LabelType = "fraud_disposition", Value = "FRAUD_CONFIRMED" }, Feed).AssertionId);
        Assert.NotEqual(id, evaluator.Evaluate(assertion with { EventId = "evt-0002" }, Feed).AssertionId);
        Assert.NotEqual(id, evaluator.Evaluate(assertion with { PlatformRunId = "platform_20261127T213504Z" }, Feed).AssertionId);
    }

    [Fact]
    public void A_forged_actor_changes_neither_identity_nor_hash_and_is_noted()
    {
        var honest = evaluator.Evaluate(Assertion(), Feed);
        var forged = evaluator.Evaluate(Assertion() with { ActorId = "HUMAN::mallory", SourceType = "HUMAN", LabelSource = "HUMAN" }, Feed);

        Assert.Equal(honest.AssertionId, forged.AssertionId);
        Assert.Equal(honest.PayloadHash, forged.PayloadHash);
        Assert.Equal(LabelSource.External, forged.Source);
        Assert.Equal([LabelReasonCode.ActorClaimIgnored], forged.AdvisoryCodes);
        Assert.Empty(honest.AdvisoryCodes);
        var ack = evaluator.Accepted(forged, evaluator.ToRecord(forged, Observed, 0), replay: false);
        Assert.Equal(Feed.ActorId, ack.ActorId);
        Assert.Equal(SourceType.System, ack.SourceType);
    }

    [Fact]
    public void A_claim_that_names_the_caller_itself_is_no_forgery()
    {
        var candidate = evaluator.Evaluate(Assertion() with { ActorId = Analyst.ActorId, SourceType = "HUMAN", LabelSource = "HUMAN" }, Analyst);

        Assert.Empty(candidate.AdvisoryCodes);
    }

    [Fact]
    public void The_label_source_follows_the_principal()
    {
        Assert.Equal(LabelSource.Human, evaluator.Evaluate(Assertion(), Analyst).Source);
        Assert.Equal(LabelSource.External, evaluator.Evaluate(Assertion(), Feed).Source);
        Assert.Equal(LabelSource.System, evaluator.Evaluate(Assertion(), SystemLabeler).Source);
        // A person stays HUMAN whatever roles the credential carries.
        Assert.Equal(LabelSource.Human, evaluator.Evaluate(Assertion(), Caller("HUMAN::bob", SourceType.Human, PlatformRoles.LabelFeed)).Source);
    }

    [Theory]
    [InlineData("risk_score", "HIGH", null, 0, LabelReasonCode.UnknownLabelType)]
    [InlineData("chargeback_status", "FRAUD_CONFIRMED", null, 0, LabelReasonCode.UnknownLabelValue)]
    [InlineData("chargeback_status", "CHARGEBACK", "label_store.taxonomy.v9", 0, LabelReasonCode.TaxonomyVersionMismatch)]
    [InlineData("chargeback_status", "CHARGEBACK", null, -1, LabelReasonCode.ObservedBeforeEffective)]
    [InlineData("chargeback_status", "PENDING", "label_store.taxonomy.v0", 0, null)]
    [InlineData("fraud_disposition", "FRAUD_SUSPECTED", null, 0, null)]
    public void Taxonomy_and_time_rules_decide_what_is_rejected(string labelType, string value, string? taxonomy, int observedMinusEffectiveDays, string? reason)
    {
        var assertion = Assertion(labelType, value, taxonomyVersion: taxonomy, observed: Effective.AddDays(observedMinusEffectiveDays));

        Assert.Equal(reason, evaluator.Evaluate(assertion, Feed).RejectReason);
    }

    [Fact]
    public void A_label_observed_at_its_effective_time_is_fine()
    {
        Assert.Null(evaluator.Evaluate(Assertion(observed: Effective), Feed).RejectReason);
    }

    [Fact]
    public void Dedupe_by_assertion_id_is_new_replay_or_mismatch()
    {
        var candidate = evaluator.Evaluate(Assertion(), Feed);
        var recorded = evaluator.ToRecord(candidate, Observed.AddMinutes(1), 0);
        var changed = evaluator.Evaluate(Assertion(value: "NO_CHARGEBACK"), Feed);

        Assert.Equal(DedupeOutcome.New, LabelEvaluator.Dedupe(candidate, null));
        Assert.Equal(DedupeOutcome.Replay, LabelEvaluator.Dedupe(candidate, recorded));
        Assert.Equal(candidate.AssertionId, changed.AssertionId);
        Assert.Equal(DedupeOutcome.Mismatch, LabelEvaluator.Dedupe(changed, recorded));
    }

    [Fact]
    public void Acks_carry_the_boundary_taxonomy_policy_and_actor()
    {
        var candidate = evaluator.Evaluate(Assertion(), Analyst);
        var record = evaluator.ToRecord(candidate, Observed.AddTicks(17), 3);

        foreach (var ack in new[] { evaluator.Accepted(candidate, record, replay: true), evaluator.Rejected(candidate, LabelReasonCode.PayloadHashMismatch) })
        {
            Assert.Equal("label_store.writer_boundary.v0", ack.WriterBoundaryVersion);
            Assert.Equal("label_store.taxonomy.v0", ack.TaxonomyVersion);
            Assert.Equal(Policy.PolicyRev, ack.PolicyRev);
            Assert.Equal("HUMAN::alice", ack.ActorId);
            Assert.Equal(candidate.AssertionId, ack.LabelAssertionId);
        }

        Assert.Equal(LabelReasonCode.Replay, evaluator.Accepted(candidate, record, replay: true).ReasonCode);
        Assert.Equal(UtcTimestamp.Truncate(Observed.AddTicks(17)), record.RecordedAtUtc);
        Assert.Equal(3, record.SubjectSeq);
        Assert.Null(evaluator.Rejected(candidate, LabelReasonCode.UnknownLabelValue).RecordedAtUtc);
    }

    [Fact]
    public void A_rejected_assertion_never_becomes_a_record()
    {
        var rejected = evaluator.Evaluate(Assertion(value: "NOPE"), Feed);

        Assert.Throws<InvalidOperationException>(() => evaluator.ToRecord(rejected, Observed, 0));
    }

    [Fact]
    public void Requests_are_read_only_when_they_meet_the_assertion_schema()
    {
        var ok = AssertionJson("platform_20261127T213503Z", "evt-1");
        Assert.True(LabelRequests.TryRead(JsonSerializer.SerializeToElement(ok), Policy.AssertionSchema, out var read, out _));
        Assert.Equal(Observed.ToUnixTimeMilliseconds(), read!.ObservedTime.ToUnixTimeMilliseconds());

        foreach (var (field, value) in new (string, object?)[]
        {
            ("platform_run_id", "run-1"), ("event_id", "has space"), ("observed_time", "2026-12-09T10:00:00Z"),
            ("label_type", ""), ("effective_time", null), ("unexpected", "x"), ("observed_time", "2026-13-45T10:00:00.000000Z"),
        })
        {
            var bad = AssertionJson("platform_20261127T213503Z", "evt-1");
            if (value is null)
            {
                bad.Remove(field);
            }
            else
            {
                bad[field] = System.Text.Json.Nodes.JsonValue.Create(value);
            }

            Assert.False(LabelRequests.TryRead(JsonSerializer.SerializeToElement(bad), Policy.AssertionSchema, out _, out var error), field);
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void Bodies_that_are_not_strict_json_are_refused()
    {
        Assert.False(LabelRequests.TryParseJson("{\"a\":1,}"u8.ToArray(), out _, out _));
        Assert.False(LabelRequests.TryParseJson("{\"value\":\"CHARGEBACK\",\"value\":\"NO_CHARGEBACK\"}"u8.ToArray(), out _, out _));
        Assert.False(LabelRequests.TryParseJson(new byte[] { 0x7b, 0xff, 0x7d }, out _, out var error));
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
        Assert.True(LabelRequests.TryParseJson(JsonSerializer.SerializeToUtf8Bytes(AssertionJson("platform_20261127T213503Z", "e"), PlatformJson.Options), out var document, out _));
        document!.Dispose();
    }
}
