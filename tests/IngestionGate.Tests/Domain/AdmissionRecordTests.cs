using System.Text.Json;
using IngestionGate.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Tests.Domain;

public sealed class AdmissionRecordTests
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 27, 21, 35, 4, TimeSpan.Zero).AddTicks(1234567);

    internal static Admissible Admissible(string eventId = "evt-0001") =>
        Assert.IsType<Admissible>(TestPolicy.Evaluator.Evaluate(Envelopes.Transaction(eventId).Bytes(), Envelopes.TrafficProducer));

    internal static EbRef Published(AdmissionRecord row, DateTimeOffset at) =>
        EbRef.ForPublish(new EventBusPublishResult(row.Stream, row.PartitionKey, SequenceNumber: null, at), row.PublishId);

    [Fact]
    public void An_in_flight_row_carries_the_event_and_the_first_publish_id()
    {
        var admissible = Admissible();
        var row = AdmissionRecord.InFlight(admissible, TestPolicy.Shipped.PolicyRev, T0);

        Assert.Equal(AdmissionState.PublishInFlight, row.State);
        Assert.Equal((admissible.DedupeKey, admissible.PayloadHash, admissible.PartitionKey), (row.DedupeKey, row.PayloadHash, row.PartitionKey));
        Assert.Equal("fp.bus.traffic.v1", row.Stream);
        Assert.Equal(1, row.PublishAttempt);
        Assert.Equal(EventIds.PublishId(admissible.DedupeKey, 1), row.PublishId);
        Assert.Null(row.EbRef);
        Assert.Null(row.ReceiptId);
        Assert.False(row.ReceiptWriteFailed);
        Assert.Equal(T0.AddTicks(-7), row.CreatedAtUtc);
        Assert.Equal(admissible.Actor, row.Actor);
    }

    [Fact]
    public void Admit_commits_eb_ref_receipt_id_and_time()
    {
        var row = AdmissionRecord.InFlight(Admissible(), TestPolicy.Shipped.PolicyRev, T0);
        var ebRef = Published(row, T0.AddSeconds(1));
        var admitted = row.Admit(ebRef, T0.AddSeconds(2));

        Assert.Equal(AdmissionState.Admitted, admitted.State);
        Assert.Equal(ebRef, admitted.EbRef);
        Assert.Equal(IgIds.ReceiptId(ReceiptDecision.Admit, row.DedupeKey), admitted.ReceiptId);
        Assert.Equal(T0.AddSeconds(2).AddTicks(-7), admitted.AdmittedAtUtc);
        Assert.Equal(row.CreatedAtUtc, admitted.CreatedAtUtc);
        Assert.Equal(admitted.AdmittedAtUtc, admitted.UpdatedAtUtc);
    }

    [Fact]
    public void An_ambiguous_row_is_resolved_by_admit_or_by_an_operator_republish_under_a_new_publish_id()
    {
        var ambiguous = AdmissionRecord.InFlight(Admissible(), TestPolicy.Shipped.PolicyRev, T0).MarkAmbiguous(T0);
        Assert.Equal(AdmissionState.PublishAmbiguous, ambiguous.State);

        Assert.Equal(AdmissionState.Admitted, ambiguous.Admit(Published(ambiguous, T0), T0).State);

        var retried = ambiguous.Republish(T0);
        Assert.Equal((AdmissionState.PublishInFlight, 2), (retried.State, retried.PublishAttempt));
        Assert.Equal(EventIds.PublishId(ambiguous.DedupeKey, 2), retried.PublishId);
        Assert.NotEqual(ambiguous.PublishId, retried.PublishId);
    }

    [Fact]
    public void Transitions_outside_the_state_machine_are_refused()
    {
        var inFlight = AdmissionRecord.InFlight(Admissible(), TestPolicy.Shipped.PolicyRev, T0);
        var admitted = inFlight.Admit(Published(inFlight, T0), T0);

        Assert.Throws<InvalidOperationException>(() => inFlight.Republish(T0));
        Assert.Throws<InvalidOperationException>(() => inFlight.WithReceiptWriteFailed(true, T0));
        Assert.Throws<InvalidOperationException>(() => admitted.MarkAmbiguous(T0));
        Assert.Throws<InvalidOperationException>(() => admitted.Admit(Published(inFlight, T0), T0));
        Assert.Throws<InvalidOperationException>(() => admitted.Republish(T0));
        Assert.Throws<InvalidOperationException>(() => inFlight.MarkAmbiguous(T0).MarkAmbiguous(T0));
    }

    [Fact]
    public void Receipt_write_failure_is_flagged_and_cleared_on_a_committed_row()
    {
        var inFlight = AdmissionRecord.InFlight(Admissible(), TestPolicy.Shipped.PolicyRev, T0);
        var flagged = inFlight.Admit(Published(inFlight, T0), T0).WithReceiptWriteFailed(true, T0.AddMinutes(1));

        Assert.True(flagged.ReceiptWriteFailed);
        Assert.False(flagged.WithReceiptWriteFailed(false, T0.AddMinutes(2)).ReceiptWriteFailed);
    }

    [Fact]
    public void The_row_round_trips_through_its_stored_json()
    {
        var inFlight = AdmissionRecord.InFlight(Admissible(), TestPolicy.Shipped.PolicyRev, T0);
        var row = inFlight.Admit(Published(inFlight, T0), T0);
        var json = row.ToUtf8Json();
        var read = JsonSerializer.Deserialize<AdmissionRecord>(json, PlatformJson.Options)!;

        Assert.Equal(json, read.ToUtf8Json());
        using var document = JsonDocument.Parse(json);
        Assert.Equal("ADMITTED", document.RootElement.GetProperty("state").GetString());
        Assert.Equal("ig_publish_id", document.RootElement.GetProperty("eb_ref").GetProperty("offset_kind").GetString());
        Assert.Equal("2026-11-27T21:35:04.123456Z", document.RootElement.GetProperty("created_at_utc").GetString());
        Assert.Equal("SYSTEM", document.RootElement.GetProperty("actor").GetProperty("source_type").GetString());
    }
}
