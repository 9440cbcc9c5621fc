using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using IngestionGate.Infrastructure;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary>Every branch of the admission pipeline (CONTRACTS §4) through IG's HTTP API, checked in the backing stores.</summary>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed class AdmissionTests(IgServiceFixture fixture)
{
    private HttpClient Producer => fixture.Ig.Client("traffic");

    private HttpClient Operator => fixture.Ig.Client("operator");

    [Fact]
    public async Task The_admit_receipts_of_one_commit_are_one_object_and_each_is_retrievable_by_its_id()
    {
        var run = FreshRunId();
        var envelopes = Enumerable.Range(0, 20).Select(_ => (JsonNode)Transaction(run, Unique("evt"), Unique("flow"))).ToList();

        var answer = await Producer.PostBatchAsync(envelopes);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var receiptIds = answer.Results.Select(r => r.GetProperty("receipt_id").GetString()!).ToList();
        Assert.All(answer.Results, r => Assert.Equal("ADMIT", r.GetProperty("decision").GetString()));
        var batchKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var receiptId in receiptIds)
        {
            var receipt = await Producer.ReceiptAsync(receiptId);
            AssertConforms(ReceiptSchema, receipt);
            Assert.Equal(receiptId, receipt.GetProperty("receipt_id").GetString());
            batchKeys.Add(Read<ReceiptIndexEntry>((await Backends.StateAsync(AdmissionStore.ReceiptIndexKey(receiptId)))!.Value).BatchKey!);
        }

        // One request's envelopes are committed together: one batch object holds all twenty receipts.
        var batchKey = Assert.Single(batchKeys);
        var batch = JsonDocument.Parse((await Backends.ObjectAsync(batchKey))!).RootElement;
        Assert.Equal(receiptIds.Order(StringComparer.Ordinal), batch.EnumerateArray().Select(r => r.GetProperty("receipt_id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Empty(await Backends.ObjectKeysAsync($"{run}/ig/receipts/{receiptIds[0]}"));
    }

    [Fact]
    public async Task An_event_is_admitted_once_and_a_resubmission_is_a_duplicate_with_the_same_eb_ref()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var envelope = Transaction(run, Unique("evt"), flow);

        var admitted = await Producer.PostEventAsync(envelope);
        Assert.True(admitted.Status == HttpStatusCode.OK, admitted.ToString());
        Assert.Equal("ADMIT", admitted.Decision);
        Assert.Equal([], admitted.ReasonCodes);
        var ebRef = admitted.EbRef;
        Assert.Equal("fp.bus.traffic.v1", ebRef.GetProperty("stream").GetString());
        Assert.Equal(PartitionKey(flow), ebRef.GetProperty("partition").GetString());
        Assert.Equal("ig_publish_id", ebRef.GetProperty("offset_kind").GetString());
        Assert.Equal(EventIds.PublishId(DedupeKey(run, envelope["event_id"]!.GetValue<string>()), 1), ebRef.GetProperty("offset").GetString());

        // The commit point: the row is ADMITTED with eb_ref and payload_hash, and no longer keeps the envelope.
        var row = Read<AdmissionRow>((await Backends.StateAsync(DedupeKey(run, envelope["event_id"]!.GetValue<string>())))!.Value);
        Assert.Equal(AdmissionState.Admitted, row.State);
        Assert.Null(row.Envelope);
        Assert.Equal(ebRef.GetProperty("offset").GetString(), row.Admission.EbRef!.Offset);

        var receipt = await Producer.ReceiptAsync(admitted.ReceiptId);
        Assert.Equal("ADMIT", receipt.GetProperty("decision").GetString());
        Assert.Equal("SYSTEM::corpus-traffic", receipt.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal(("local_parity", IgService.ReleaseId), (receipt.GetProperty("environment").GetString(), receipt.GetProperty("service_release_id").GetString()));
        Assert.Equal(fixture.Ig.Context.PolicyRev.ContentDigest, receipt.GetProperty("policy_rev").GetProperty("content_digest").GetString());
        Assert.Equal(fixture.Ig.Context.RunConfigDigest, receipt.GetProperty("run_config_digest").GetString());
        // Stored in its commit's receipt batch, which the receipt index names; not a second time in an object of its own.
        var index = Read<ReceiptIndexEntry>((await Backends.StateAsync(AdmissionStore.ReceiptIndexKey(admitted.ReceiptId)))!.Value);
        Assert.StartsWith($"{run}/ig/receipts/batches/", index.BatchKey, StringComparison.Ordinal);
        Assert.Equal(receipt.GetRawText(), Encoding.UTF8.GetString(ReceiptBatch.Find((await Backends.ObjectAsync(index.BatchKey!))!, admitted.ReceiptId)!));
        Assert.Null(await Backends.ObjectAsync(IgObjectKeys.Receipt(run, admitted.ReceiptId)));

        var duplicate = await Producer.PostEventAsync(envelope);
        Assert.Equal("DUPLICATE", duplicate.Decision);
        Assert.Equal([], duplicate.ReasonCodes);
        Assert.Equal(ebRef.GetRawText(), duplicate.EbRef.GetRawText());
        var duplicateReceipt = await Producer.ReceiptAsync(duplicate.ReceiptId);
        Assert.Equal(ebRef.GetRawText(), duplicateReceipt.GetProperty("eb_ref").GetRawText());
        Assert.Equal(receipt.GetProperty("admitted_at_utc").GetString(), duplicateReceipt.GetProperty("admitted_at_utc").GetString());

        // One record on the stream, the envelope as sent (canonical form, nothing added).
        var record = Assert.Single(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
        Assert.Equal(CanonicalJson.Serialize(envelope.Element()), record);
    }

    [Fact]
    public async Task The_same_event_id_in_two_runs_and_in_two_classes_gets_a_retrievable_receipt_each()
    {
        var eventId = Unique("evt");
        var (run, otherRun) = (FreshRunId(), FreshRunId());
        var anchor = Envelopes.FlowAnchor(eventId);
        anchor["platform_run_id"] = run;
        anchor["payload"]!["flow_id"] = Unique("flow");
        var producer = fixture.Ig.Client("traffic_context");
        var envelopes = new (JsonObject Envelope, string DedupeKey)[]
        {
            (Transaction(run, eventId, Unique("flow")), DedupeKey(run, eventId)),
            (Transaction(otherRun, eventId, Unique("flow")), DedupeKey(otherRun, eventId)),
            (anchor, DedupeKey(run, eventId, "context")),
        };

        foreach (var decision in new[] { "ADMIT", "DUPLICATE" })
        {
            var answers = new List<Answer>();
            foreach (var (envelope, _) in envelopes)
            {
                answers.Add(await producer.PostEventAsync(envelope));
            }

            Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK && a.Decision == decision, a.ToString()));
            Assert.Equal(envelopes.Length, answers.Select(a => a.ReceiptId).Distinct().Count());
            for (var i = 0; i < envelopes.Length; i++)
            {
                var receipt = await producer.ReceiptAsync(answers[i].ReceiptId);
                Assert.Equal(
                    (decision, envelopes[i].DedupeKey, envelopes[i].Envelope["platform_run_id"]!.GetValue<string>(), eventId),
                    (receipt.GetProperty("decision").GetString(), receipt.GetProperty("dedupe_key").GetString(),
                        receipt.GetProperty("platform_run_id").GetString(), receipt.GetProperty("event_id").GetString()));
            }
        }
    }

    [Fact]
    public async Task A_resubmission_with_another_payload_is_quarantined_and_the_admission_is_untouched()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var eventId = Unique("evt");
        var original = await Producer.PostEventAsync(Transaction(run, eventId, flow, amount: 10));
        Assert.Equal("ADMIT", original.Decision);

        var changed = await Producer.PostEventAsync(Transaction(run, eventId, flow, amount: 99.99));

        Assert.Equal("QUARANTINE", changed.Decision);
        Assert.Equal([ReasonCode.PayloadHashMismatch], changed.ReasonCodes);
        var receipt = await Producer.ReceiptAsync(changed.ReceiptId);
        Assert.Equal(DedupeKey(run, eventId), receipt.GetProperty("dedupe_key").GetString());
        await AssertQuarantineEvidenceAsync(run, receipt, expectFact: true);
        var row = Read<AdmissionRow>((await Backends.StateAsync(DedupeKey(run, eventId)))!.Value);
        Assert.Equal((AdmissionState.Admitted, original.EbRef.GetProperty("offset").GetString()), (row.State, row.Admission.EbRef!.Offset));
        Assert.Single(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
    }

    public static TheoryData<string> QuarantineReasons =>
    [
        ReasonCode.EnvelopeInvalid, ReasonCode.PinsMissing, ReasonCode.SchemaPolicyMissing, ReasonCode.SchemaVersionRequired,
        ReasonCode.SchemaVersionNotAllowed, ReasonCode.SchemaFail,
    ];

    [Theory]
    [MemberData(nameof(QuarantineReasons))]
    public async Task Each_quarantine_gets_a_receipt_a_record_without_the_payload_and_a_corridor_anomaly(string reason)
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var eventId = Unique("evt");
        var envelope = Transaction(run, eventId, flow);
        switch (reason)
        {
            case ReasonCode.EnvelopeInvalid: envelope.Remove("ts_utc"); break;
            case ReasonCode.PinsMissing: envelope.Remove("seed"); break;
            case ReasonCode.SchemaPolicyMissing: envelope["event_type"] = "refund"; break;
            case ReasonCode.SchemaVersionRequired: envelope.Remove("schema_version"); break;
            case ReasonCode.SchemaVersionNotAllowed: envelope["schema_version"] = "v2"; break;
            default: envelope["payload"]!["currency"] = "euro"; break;
        }

        var answer = await Producer.PostEventAsync(envelope);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("QUARANTINE", answer.Decision);
        Assert.Equal([reason], answer.ReasonCodes);
        var receipt = await Producer.ReceiptAsync(answer.ReceiptId);

        // A quarantine receipt is named after the quarantine whose record its first evidence ref names.
        var quarantineId = receipt.GetProperty("evidence_refs")[0].GetProperty("ref_id").GetString()!.Split('/')[^1].Replace(".json", "", StringComparison.Ordinal);
        Assert.Equal(IgIds.QuarantineReceiptId(quarantineId), answer.ReceiptId);
        await AssertQuarantineEvidenceAsync(run, receipt, expectFact: true);
        Assert.Null(await Backends.StateAsync(DedupeKey(run, eventId)));
        Assert.Empty(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
    }

    [Fact]
    public async Task A_batch_answers_every_item_in_order()
    {
        var run = FreshRunId();
        var admit = Transaction(run, Unique("evt"), Unique("flow"));
        var invalid = Transaction(run, Unique("evt"), Unique("flow"));
        invalid["payload"]!["mcc"] = "fifty";
        var decision = Transaction(run, Unique("evt"), Unique("flow"));
        decision["event_type"] = "decision_response";

        var answer = await Producer.PostBatchAsync([admit, admit, invalid, decision, JsonValue.Create(7)!]);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var results = answer.Results;
        Assert.Equal([0, 1, 2, 3, 4], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(["ADMIT", "DUPLICATE", "QUARANTINE"], results[..3].Select(r => r.GetProperty("decision").GetString()));
        Assert.Equal(results[0].GetProperty("eb_ref").GetRawText(), results[1].GetProperty("eb_ref").GetRawText());
        Assert.Equal([ReasonCode.SchemaFail], results[2].GetProperty("reason_codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(403, results[3].GetProperty("status").GetInt32());
        Assert.Equal("forbidden", results[3].GetProperty("problem").GetProperty("code").GetString());
        Assert.Equal(decision["event_id"]!.GetValue<string>(), results[3].GetProperty("event_id").GetString());
        Assert.Equal(("QUARANTINE", ReasonCode.EnvelopeInvalid), (results[4].GetProperty("decision").GetString(), results[4].GetProperty("reason_codes")[0].GetString()));
        foreach (var result in results.Where(r => r.TryGetProperty("receipt_id", out _)))
        {
            await Producer.ReceiptAsync(result.GetProperty("receipt_id").GetString()!);
        }

        // The refused item left nothing behind.
        Assert.Null(await Backends.StateAsync(DedupeKey(run, decision["event_id"]!.GetValue<string>(), "rtdl_decision")));
    }

    [Fact]
    public async Task Receipts_are_read_by_id_and_an_unknown_id_is_404()
    {
        var admitted = await Producer.PostEventAsync(Transaction(FreshRunId(), Unique("evt"), Unique("flow")));

        await Operator.ReceiptAsync(admitted.ReceiptId);
        Assert.Equal(HttpStatusCode.NotFound, (await Producer.GetJsonAsync("/v1/receipts/" + new string('0', 32))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Producer.GetJsonAsync("/v1/receipts/not-a-receipt")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Ig.Client("missing").GetJsonAsync("/v1/receipts/" + admitted.ReceiptId)).Status);
    }

    [Fact]
    public async Task Operators_read_admission_rows_and_producers_may_not()
    {
        var run = FreshRunId();
        var eventId = Unique("evt");
        await Producer.PostEventAsync(Transaction(run, eventId, Unique("flow")));

        var view = await Operator.GetJsonAsync("/v1/admissions/" + DedupeKey(run, eventId));

        Assert.True(view.Status == HttpStatusCode.OK, view.ToString());
        Assert.Equal("ADMITTED", view.Body.GetProperty("admission").GetProperty("state").GetString());
        Assert.False(view.Body.GetProperty("resolvable").GetBoolean());
        Assert.False(view.Body.GetProperty("envelope_kept").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, (await Producer.GetJsonAsync("/v1/admissions/" + DedupeKey(run, eventId))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Operator.GetJsonAsync("/v1/admissions/" + new string('f', 64))).Status);
        var resolve = await Operator.PostAsync($"/v1/admissions/{DedupeKey(run, eventId)}:resolve", """{"outcome":"republish"}"""u8.ToArray(), "application/json");
        Assert.Equal((HttpStatusCode.Conflict, "admission_not_resolvable"), (resolve.Status, resolve.ProblemCode));
    }

    [Fact]
    public async Task A_run_first_seen_records_segment_zero_without_a_fact()
    {
        var run = FreshRunId();
        Assert.Equal("ADMIT", (await Producer.PostEventAsync(Transaction(run, Unique("evt"), Unique("flow")))).Decision);

        var segment = Read<RunSegment>((await Backends.StateAsync("run_segment/" + run))!.Value);
        Assert.Equal((0, fixture.Ig.Context.PolicyRev), (segment.SegmentSeq, segment.PolicyRev));
        Assert.Empty(await Backends.ObjectKeysAsync($"{run}/obs/governance/"));
    }

    [Fact]
    public async Task A_run_last_recorded_under_another_policy_rev_enters_a_new_segment_with_a_policy_rev_changed_fact()
    {
        var run = FreshRunId();
        var earlier = new PolicyRev(IgPolicy.PolicyId, "ig_policy.earlier", new string('a', 64));
        var state = new DaprStateStore(fixture.Sidecar.Client, PlatformNames.Components.IgAdmission);
        Assert.True(await state.TrySaveAsync("run_segment/" + run, new RunSegment(run, earlier, 3, DateTimeOffset.UtcNow), null, null, CancellationToken.None));

        Assert.Equal("ADMIT", (await Producer.PostEventAsync(Transaction(run, Unique("evt"), Unique("flow")))).Decision);

        var active = fixture.Ig.Context.PolicyRev;
        var segment = Read<RunSegment>((await Backends.StateAsync("run_segment/" + run))!.Value);
        Assert.Equal((4, active), (segment.SegmentSeq, segment.PolicyRev));
        var factId = GovernanceFact.ComputeFactId(GovernanceFactType.PolicyRevChanged, run, "ig", $"{active.ContentDigest}:4");
        var fact = ParseJson((await Backends.ObjectAsync(GovernanceFactEmitter.ObjectKey(run, factId)))!);
        AssertConforms(GovernanceFactSchema, fact);
        var details = fact.GetProperty("details");
        Assert.Equal(earlier.ContentDigest, details.GetProperty("previous_policy_rev").GetProperty("content_digest").GetString());
        Assert.Equal(active.ContentDigest, details.GetProperty("policy_rev").GetProperty("content_digest").GetString());
        Assert.Equal((3, 4), (details.GetProperty("previous_segment_seq").GetInt32(), details.GetProperty("segment_seq").GetInt32()));
    }

    /// <summary>
    /// The quarantine record and payload named by the receipt exist, hash to the digests the refs carry, the record
    /// conforms and holds the envelope without its payload, and (with a valid run) a CORRIDOR_ANOMALY fact names it.
    /// </summary>
    internal static async Task AssertQuarantineEvidenceAsync(string run, JsonElement receipt, bool expectFact)
    {
        var refs = receipt.GetProperty("evidence_refs").EnumerateArray().ToDictionary(r => r.GetProperty("ref_type").GetString()!, r => r);
        var recordRef = refs["ig_quarantine_record"];
        var recordKey = recordRef.GetProperty("ref_id").GetString()!;
        Assert.StartsWith($"{run}/ig/quarantine/", recordKey, StringComparison.Ordinal);
        var recordBytes = (await Backends.ObjectAsync(recordKey))!;
        Assert.Equal(recordRef.GetProperty("sha256").GetString(), Digests.Sha256Hex(recordBytes));
        var record = ParseJson(recordBytes);
        AssertConforms(QuarantineRecordSchema, record);
        Assert.False(record.GetProperty("envelope").TryGetProperty("payload", out _));

        var payloadRef = refs["ig_quarantine_payload"];
        var payloadBytes = (await Backends.ObjectAsync(payloadRef.GetProperty("ref_id").GetString()!))!;
        Assert.Equal(payloadRef.GetProperty("sha256").GetString(), Digests.Sha256Hex(payloadBytes));
        Assert.Equal(JsonValueKind.Object, ParseJson(payloadBytes).ValueKind);

        var quarantineId = record.GetProperty("quarantine_id").GetString()!;
        var factKey = GovernanceFactEmitter.ObjectKey(run, GovernanceFact.ComputeFactId(GovernanceFactType.CorridorAnomaly, run, "ig", "quarantine:" + quarantineId));
        var fact = await Backends.ObjectAsync(factKey);
        if (!expectFact)
        {
            Assert.Null(fact);
            return;
        }

        Assert.NotNull(fact);
        var factJson = ParseJson(fact);
        AssertConforms(GovernanceFactSchema, factJson);
        Assert.Equal(quarantineId, factJson.GetProperty("details").GetProperty("quarantine_id").GetString());
        Assert.Equal(receipt.GetProperty("reason_codes").GetRawText(), factJson.GetProperty("details").GetProperty("reason_codes").GetRawText());
    }
}
