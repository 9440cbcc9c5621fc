using System.Net;
using System.Text;
using System.Text.Json;
using Platform.Substrate.Governance;
using static CaseLabels.Tests.Service.Labels;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Service;

/// <summary>The writer boundary through cm's HTTP API, on a harness sidecar with real PostgreSQL and S3.</summary>
[Collection(CmServiceCollectionDefinition.Name)]
public sealed class LabelWriteTests(CmServiceFixture fixture)
{
    private const string AckSchema = "labels/label_ack.v0.schema.json";
    private const string RecordSchema = "labels/label_record.v0.schema.json";

    private HttpClient Feed => fixture.Cm.Client("feed");

    private HttpClient Analyst => fixture.Cm.Client("analyst");

    private HttpClient Operator => fixture.Cm.Client("operator");

    [Fact]
    public async Task An_accepted_label_is_acked_appended_and_its_fact_recorded()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));

        var ack = await Feed.PostLabelAsync(AssertionJson(run, evt));

        Assert.True(ack.Status == HttpStatusCode.OK, ack.ToString());
        AssertConforms(AckSchema, ack.Body);
        Assert.Equal(("ACCEPTED", "NEW"), (ack.Str("status"), ack.Str("reason_code")));
        Assert.Equal("SYSTEM::cm-tests-chargebacks", ack.Str("actor_id"));
        Assert.Equal(("SYSTEM", "EXTERNAL"), (ack.Str("source_type"), ack.Str("label_source")));
        Assert.Equal("label_store.writer_boundary.v0", ack.Str("writer_boundary_version"));
        Assert.Equal("label_store.taxonomy.v0", ack.Str("taxonomy_version"));
        Assert.Equal(fixture.Cm.Context.Policy.PolicyRev.ContentDigest, ack.Body.GetProperty("policy_rev").GetProperty("content_digest").GetString());

        var record = Assert.Single(await Operator.TimelineAsync(run, evt));
        AssertConforms(RecordSchema, record);
        Assert.Equal(ack.Str("label_assertion_id"), record.GetProperty("label_assertion_id").GetString());
        Assert.Equal("CHARGEBACK", record.GetProperty("value").GetString());
        Assert.Equal(ack.Str("recorded_at_utc"), record.GetProperty("recorded_at_utc").GetString());

        var fact = await FactAsync(GovernanceFactType.LabelAccepted, run, "accepted:" + ack.Str("label_assertion_id"));
        Assert.NotNull(fact);
        AssertConforms("governance_fact.v0.schema.json", fact.Value);
        Assert.Equal("SYSTEM::cm-tests-chargebacks", fact.Value.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal("cm", fact.Value.GetProperty("actor").GetProperty("source_component").GetString());
        Assert.Equal(ack.Str("label_assertion_id"), fact.Value.GetProperty("details").GetProperty("label_assertion_id").GetString());
    }

    [Fact]
    public async Task The_same_assertion_replayed_is_accepted_as_a_replay_and_appends_nothing()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));
        var first = await Feed.PostLabelAsync(AssertionJson(run, evt));

        var again = await Feed.PostLabelAsync(AssertionJson(run, evt));

        Assert.True(again.Status == HttpStatusCode.OK, again.ToString());
        AssertConforms(AckSchema, again.Body);
        Assert.Equal(("ACCEPTED", "REPLAY"), (again.Str("status"), again.Str("reason_code")));
        Assert.Equal(first.Str("label_assertion_id"), again.Str("label_assertion_id"));
        Assert.Equal(first.Str("recorded_at_utc"), again.Str("recorded_at_utc"));
        Assert.Single(await Operator.TimelineAsync(run, evt));
    }

    [Fact]
    public async Task The_same_key_with_another_payload_is_rejected_and_the_first_label_stands()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));
        var first = await Feed.PostLabelAsync(AssertionJson(run, evt, value: "CHARGEBACK"));

        var contradiction = await Feed.PostLabelAsync(AssertionJson(run, evt, value: "NO_CHARGEBACK"));

        Assert.True(contradiction.Status == HttpStatusCode.OK, contradiction.ToString());
        AssertConforms(AckSchema, contradiction.Body);
        Assert.Equal(("REJECTED", "PAYLOAD_HASH_MISMATCH"), (contradiction.Str("status"), contradiction.Str("reason_code")));
        Assert.Equal(first.Str("label_assertion_id"), contradiction.Str("label_assertion_id"));
        Assert.False(contradiction.Body.TryGetProperty("recorded_at_utc", out _));
        var record = Assert.Single(await Operator.TimelineAsync(run, evt));
        Assert.Equal("CHARGEBACK", record.GetProperty("value").GetString());
        var fact = await FactAsync(
            GovernanceFactType.LabelRejected, run, $"rejected:PAYLOAD_HASH_MISMATCH:{contradiction.Str("label_assertion_id")}:{contradiction.Str("payload_hash")}");
        Assert.NotNull(fact);
        Assert.Equal(first.Str("payload_hash"), fact.Value.GetProperty("details").GetProperty("recorded_payload_hash").GetString());
    }

    [Theory]
    [InlineData("chargeback_status", "MAYBE", "UNKNOWN_LABEL_VALUE")]
    [InlineData("fraud_disposition", "CHARGEBACK", "UNKNOWN_LABEL_VALUE")]
    [InlineData("risk_score", "HIGH", "UNKNOWN_LABEL_TYPE")]
    public async Task A_label_outside_the_taxonomy_is_rejected_with_its_reason_and_nothing_is_written(string labelType, string value, string reason)
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));

        var ack = await Analyst.PostLabelAsync(AssertionJson(run, evt, labelType, value));

        Assert.True(ack.Status == HttpStatusCode.OK, ack.ToString());
        AssertConforms(AckSchema, ack.Body);
        Assert.Equal(("REJECTED", reason), (ack.Str("status"), ack.Str("reason_code")));
        Assert.Equal("HUMAN::cm-tests-analyst", ack.Str("actor_id"));
        Assert.Empty(await Operator.TimelineAsync(run, evt));
        var fact = await FactAsync(GovernanceFactType.LabelRejected, run, $"rejected:{reason}:{ack.Str("label_assertion_id")}:{ack.Str("payload_hash")}");
        Assert.NotNull(fact);
        Assert.Equal("HUMAN::cm-tests-analyst", fact.Value.GetProperty("actor").GetProperty("actor_id").GetString());
    }

    [Fact]
    public async Task A_label_observed_before_it_is_effective_is_rejected()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));

        var ack = await Feed.PostLabelAsync(AssertionJson(run, evt, observed: Effective.AddSeconds(-1)));

        Assert.Equal(("REJECTED", "OBSERVED_BEFORE_EFFECTIVE"), (ack.Str("status"), ack.Str("reason_code")));
        Assert.Empty(await Operator.TimelineAsync(run, evt));
    }

    [Fact]
    public async Task A_payload_claiming_another_actor_changes_nothing_but_is_noted()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));
        var forged = AssertionJson(run, evt);
        forged["actor_id"] = "HUMAN::cm-tests-analyst";
        forged["source_type"] = "HUMAN";
        forged["label_source"] = "HUMAN";

        var ack = await Feed.PostLabelAsync(forged);
        var honest = await Feed.PostLabelAsync(AssertionJson(run, evt));

        Assert.Equal(("ACCEPTED", "NEW"), (ack.Str("status"), ack.Str("reason_code")));
        Assert.Equal(("SYSTEM::cm-tests-chargebacks", "SYSTEM", "EXTERNAL"), (ack.Str("actor_id"), ack.Str("source_type"), ack.Str("label_source")));
        Assert.Equal(["ACTOR_CLAIM_IGNORED"], ack.Body.GetProperty("advisory_codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(("ACCEPTED", "REPLAY"), (honest.Str("status"), honest.Str("reason_code")));
        Assert.Equal(ack.Str("label_assertion_id"), honest.Str("label_assertion_id"));
        var record = Assert.Single(await Operator.TimelineAsync(run, evt));
        Assert.Equal("SYSTEM::cm-tests-chargebacks", record.GetProperty("actor_id").GetString());
    }

    [Theory]
    [InlineData("missing", HttpStatusCode.Unauthorized)]
    [InlineData("empty", HttpStatusCode.Unauthorized)]
    [InlineData("unknown", HttpStatusCode.Unauthorized)]
    [InlineData("revoked", HttpStatusCode.Unauthorized)]
    [InlineData("producer", HttpStatusCode.Forbidden)]
    [InlineData("operator", HttpStatusCode.Forbidden)]
    public async Task Callers_without_a_label_writer_credential_are_refused_and_nothing_is_written(string caller, HttpStatusCode expected)
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));

        var single = await fixture.Cm.Client(caller).PostLabelAsync(AssertionJson(run, evt));
        var batch = await fixture.Cm.Client(caller).PostBatchAsync([AssertionJson(run, evt)]);

        foreach (var answer in new[] { single, batch })
        {
            Assert.True(answer.Status == expected, answer.ToString());
            Assert.Equal("application/problem+json", answer.ContentType);
        }

        Assert.Empty(await Operator.TimelineAsync(run, evt));
    }

    [Fact]
    public async Task Request_errors_are_problems_and_write_nothing()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));
        var valid = Encoding.UTF8.GetBytes(AssertionJson(run, evt).ToJsonString());
        var unknownMember = AssertionJson(run, evt);
        unknownMember["note"] = "not in the contract";
        var oversized = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 20_000) + "\"}");

        var cases = new (string Name, Task<Answer> Call, HttpStatusCode Status, string Code)[]
        {
            ("media type", Feed.PostRawAsync("v1/labels", valid, "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
            ("charset", Feed.PostRawAsync("v1/labels", valid, "application/json; charset=latin1"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"),
            ("oversized", Feed.PostRawAsync("v1/labels", oversized, "application/json"), HttpStatusCode.RequestEntityTooLarge, "payload_too_large"),
            ("not json", Feed.PostRawAsync("v1/labels", "{\"platform_run_id\":"u8.ToArray(), "application/json"), HttpStatusCode.BadRequest, "bad_request"),
            ("schema", Feed.PostLabelAsync(unknownMember), HttpStatusCode.BadRequest, "bad_request"),
            ("policy_rev", Feed.PostLabelAsync(AssertionJson(run, evt), new string('0', 64)), HttpStatusCode.Conflict, "policy_rev_mismatch"),
            ("empty batch", Feed.PostBatchAsync([]), HttpStatusCode.BadRequest, "bad_request"),
            ("huge batch", Feed.PostBatchAsync(Enumerable.Range(0, 501).Select(i => AssertionJson(run, evt + i))), HttpStatusCode.RequestEntityTooLarge, "payload_too_large"),
        };

        foreach (var (name, call, status, code) in cases)
        {
            var answer = await call;
            Assert.True(answer.Status == status, $"{name}: {answer}");
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.Equal(code, answer.Str("code"));
        }

        Assert.Empty(await Operator.TimelineAsync(run, evt));
        var current = await Feed.PostLabelAsync(AssertionJson(run, evt), fixture.Cm.Context.Policy.PolicyRev.ContentDigest);
        Assert.Equal(("ACCEPTED", "NEW"), (current.Str("status"), current.Str("reason_code")));
    }

    [Fact]
    public async Task A_subjects_timeline_is_append_only_and_in_append_order()
    {
        var (run, evt) = (FreshRunId(), Unique("evt"));
        var pending = await Feed.PostLabelAsync(AssertionJson(run, evt, value: "PENDING", observed: Observed));
        var before = await Operator.TimelineAsync(run, evt);

        var chargeback = await Feed.PostLabelAsync(AssertionJson(run, evt, value: "CHARGEBACK", observed: Observed.AddDays(5)));
        var disposition = await Analyst.PostLabelAsync(AssertionJson(run, evt, "fraud_disposition", "FRAUD_CONFIRMED", observed: Observed.AddDays(1)));
        var after = await Operator.TimelineAsync(run, evt);

        Assert.All(new[] { pending, chargeback, disposition }, a => Assert.Equal("NEW", a.Str("reason_code")));
        Assert.Equal(
            [pending.Str("label_assertion_id"), chargeback.Str("label_assertion_id"), disposition.Str("label_assertion_id")],
            after.Select(r => r.GetProperty("label_assertion_id").GetString()));
        Assert.Equal([0, 1, 2], after.Select(r => r.GetProperty("subject_seq").GetInt32()));
        // The first entry reads back byte for byte as it did before anything was appended.
        Assert.Equal(before[0].GetRawText(), after[0].GetRawText());
        Assert.Equal(["PENDING", "CHARGEBACK", "FRAUD_CONFIRMED"], after.Select(r => r.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_batch_answers_each_assertion_at_its_index()
    {
        var run = FreshRunId();
        var (a, b) = (Unique("evt"), Unique("evt"));
        var invalid = AssertionJson(run, a);
        invalid["observed_time"] = "yesterday";

        var answer = await Feed.PostBatchAsync([AssertionJson(run, a), invalid, AssertionJson(run, b, value: "MAYBE"), AssertionJson(run, a)]);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var results = answer.Body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(400, results[1].GetProperty("status").GetInt32());
        Assert.Equal("bad_request", results[1].GetProperty("problem").GetProperty("code").GetString());
        var acks = new[] { results[0], results[2], results[3] }.Select(r => r.GetProperty("ack")).ToList();
        acks.ForEach(ack => AssertConforms(AckSchema, ack));
        Assert.Equal(("REJECTED", "UNKNOWN_LABEL_VALUE"), (acks[1].GetProperty("status").GetString(), acks[1].GetProperty("reason_code").GetString()));
        // The same assertion twice in one batch: one is appended, the other is its replay.
        Assert.Equal(["NEW", "REPLAY"], new[] { acks[0], acks[2] }.Select(x => x.GetProperty("reason_code").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(acks[0].GetProperty("label_assertion_id").GetString(), acks[2].GetProperty("label_assertion_id").GetString());
        Assert.Single(await Operator.TimelineAsync(run, a));
        Assert.Empty(await Operator.TimelineAsync(run, b));
    }
}
