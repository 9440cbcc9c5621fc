using System.Net;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using IngestionGate.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary>
/// IG dies, or the bus does not confirm, somewhere between the admission row and the commit point. Afterwards no
/// event is lost, none is published twice, and the unconfirmed admission is visible to operators until one settles it.
/// </summary>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed class CrashRecoveryTests(IgServiceFixture fixture)
{
    private static readonly Dictionary<string, string?> AfterRestart = new()
    {
        ["IngestionGate:InFlightWait"] = "00:00:00.300",
        ["IngestionGate:StaleInFlightAfter"] = "00:00:01",
        ["IngestionGate:PublishTimeout"] = "00:00:00.400",
    };

    [Fact]
    public async Task Killed_between_in_flight_and_publish_the_event_is_held_until_an_operator_republishes_it_once()
    {
        var (run, flow, envelope) = NewEvent();
        await CrashDuringPublishAsync(envelope, BusFault.HangBeforePublish);

        var held = Read<AdmissionRow>((await Backends.StateAsync(Key(run, envelope)))!.Value);
        Assert.Equal(AdmissionState.PublishInFlight, held.State);
        Assert.NotNull(held.Envelope);
        Assert.Empty(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));

        await using var ig = await IgService.StartAsync(fixture.Sidecar, AfterRestart);
        await AssertHeldAsync(ig, run, envelope);

        var resolved = await ResolveAsync(ig, run, envelope, "republish");

        var receipt = resolved.Body.GetProperty("receipt");
        Assert.Equal("ADMIT", receipt.GetProperty("decision").GetString());
        Assert.Equal(EventIds.PublishId(Key(run, envelope), 2), receipt.GetProperty("eb_ref").GetProperty("offset").GetString());
        await AssertAdmittedOnceAsync(ig, run, flow, envelope, receipt, ResolveOutcome.Republish, AdmissionState.PublishInFlight);
    }

    [Fact]
    public async Task Killed_between_publish_and_admitted_the_event_is_held_until_an_operator_marks_it_admitted()
    {
        var (run, flow, envelope) = NewEvent();
        await CrashDuringPublishAsync(envelope, BusFault.HangAfterPublish);

        Assert.Equal(AdmissionState.PublishInFlight, Read<AdmissionRow>((await Backends.StateAsync(Key(run, envelope)))!.Value).State);
        Assert.Single(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));

        await using var ig = await IgService.StartAsync(fixture.Sidecar, AfterRestart);
        await AssertHeldAsync(ig, run, envelope);

        var resolved = await ResolveAsync(ig, run, envelope, "mark_admitted");

        var receipt = resolved.Body.GetProperty("receipt");
        Assert.Equal(EventIds.PublishId(Key(run, envelope), 1), receipt.GetProperty("eb_ref").GetProperty("offset").GetString());
        await AssertAdmittedOnceAsync(ig, run, flow, envelope, receipt, ResolveOutcome.MarkAdmitted, AdmissionState.PublishInFlight);
    }

    [Fact]
    public async Task An_unconfirmed_publish_becomes_ambiguous_and_is_never_republished_automatically()
    {
        var (run, flow, envelope) = NewEvent();
        await using var ig = await IgService.StartAsync(fixture.Sidecar, AfterRestart, FaultyEventBus.Install(BusFault.FailOnce));
        var producer = ig.Client("traffic");

        var failed = await producer.PostEventAsync(envelope);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "publish_ambiguous"), (failed.Status, failed.ProblemCode));
        Assert.NotNull(failed.Headers.RetryAfter);
        var row = Read<AdmissionRow>((await Backends.StateAsync(Key(run, envelope)))!.Value);
        Assert.Equal(AdmissionState.PublishAmbiguous, row.State);
        var factId = GovernanceFact.ComputeFactId(GovernanceFactType.CorridorAnomaly, run, "ig", $"publish_ambiguous:{Key(run, envelope)}:1");
        var fact = ParseJson((await Backends.ObjectAsync(GovernanceFactEmitter.ObjectKey(run, factId)))!);
        AssertConforms(GovernanceFactSchema, fact);
        Assert.Equal(ReasonCode.PublishAmbiguous, fact.GetProperty("details").GetProperty("reason_codes")[0].GetString());

        // The bus works again, yet a resubmission is refused rather than published: only an operator decides.
        var again = await producer.PostEventAsync(envelope);
        Assert.Equal((HttpStatusCode.Conflict, "admission_ambiguous"), (again.Status, again.ProblemCode));
        Assert.Empty(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
        var view = await ig.Client("operator").GetJsonAsync("/v1/admissions/" + Key(run, envelope));
        Assert.True(view.Body.GetProperty("resolvable").GetBoolean(), view.ToString());

        var resolved = await ResolveAsync(ig, run, envelope, "republish");

        await AssertAdmittedOnceAsync(ig, run, flow, envelope, resolved.Body.GetProperty("receipt"), ResolveOutcome.Republish, AdmissionState.PublishAmbiguous);
    }

    [Fact]
    public async Task A_receipt_whose_write_fails_after_the_commit_point_is_backfilled()
    {
        var (run, _, envelope) = NewEvent();
        await using var ig = await IgService.StartAsync(
            fixture.Sidecar, new Dictionary<string, string?> { ["IngestionGate:ReceiptBackfillInterval"] = "00:00:00.200" }, FaultyObjectStore.Install());
        var objects = ig.Services.GetRequiredService<FaultyObjectStore>();
        objects.FailReceipts = true;

        var admitted = await ig.Client("traffic").PostEventAsync(envelope);

        Assert.True(admitted.Status == HttpStatusCode.OK, admitted.ToString());
        Assert.Equal("ADMIT", admitted.Decision);
        Assert.True(Read<AdmissionRow>((await Backends.StateAsync(Key(run, envelope)))!.Value).Admission.ReceiptWriteFailed);
        Assert.Contains(Key(run, envelope), Read<PendingReceipts>((await Backends.StateAsync(AdmissionStore.PendingReceiptsKey))!.Value).DedupeKeys);
        Assert.Null(await Backends.ObjectAsync(IgObjectKeys.Receipt(run, admitted.ReceiptId)));
        var index = Read<ReceiptIndexEntry>((await Backends.StateAsync(AdmissionStore.ReceiptIndexKey(admitted.ReceiptId)))!.Value);
        Assert.Null(await Backends.ObjectAsync(index.BatchKey!));

        objects.FailReceipts = false;
        await Eventually(async () => !Read<AdmissionRow>((await Backends.StateAsync(Key(run, envelope)))!.Value).Admission.ReceiptWriteFailed, "the backfill clears the flag");

        var stored = ParseJson((await Backends.ObjectAsync(IgObjectKeys.Receipt(run, admitted.ReceiptId)))!);
        AssertConforms(ReceiptSchema, stored);
        Assert.Equal(admitted.EbRef.GetRawText(), stored.GetProperty("eb_ref").GetRawText());
        Assert.Equal(stored.GetRawText(), (await ig.Client("traffic").ReceiptAsync(admitted.ReceiptId)).GetRawText());
        Assert.DoesNotContain(Key(run, envelope), Read<PendingReceipts>((await Backends.StateAsync(AdmissionStore.PendingReceiptsKey))!.Value).DedupeKeys);
    }

    private static (string Run, string Flow, JsonObject Envelope) NewEvent()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        return (run, flow, Transaction(run, Unique("evt"), flow));
    }

    private static string Key(string run, JsonObject envelope) => DedupeKey(run, envelope["event_id"]!.GetValue<string>());

    /// <summary>Submits the event to an IG whose bus hangs at <paramref name="fault"/>, then stops that IG mid-publish.</summary>
    private async Task CrashDuringPublishAsync(JsonObject envelope, BusFault fault)
    {
        await using var doomed = await IgService.StartAsync(fixture.Sidecar, services: FaultyEventBus.Install(fault));
        var bus = doomed.Services.GetRequiredService<FaultyEventBus>();
        var submission = doomed.Client("traffic").PostEventAsync(envelope);
        await bus.Hit.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await doomed.StopAsync();
        try
        {
            var cutOff = await submission;
            Assert.NotEqual(HttpStatusCode.OK, cutOff.Status);
        }
        catch (HttpRequestException)
        {
            // The connection died with the process: just as good.
        }
    }

    /// <summary>After the restart a resubmission waits, then gets a retryable 409; the operator sees the row become resolvable.</summary>
    private static async Task AssertHeldAsync(IgService ig, string run, JsonObject envelope)
    {
        var retry = await ig.Client("traffic").PostEventAsync(envelope);
        Assert.Equal((HttpStatusCode.Conflict, "admission_in_flight"), (retry.Status, retry.ProblemCode));
        Assert.NotNull(retry.Headers.RetryAfter);

        var path = "/v1/admissions/" + Key(run, envelope);
        await Eventually(async () =>
        {
            var view = await ig.Client("operator").GetJsonAsync(path);
            Assert.Equal("PUBLISH_IN_FLIGHT", view.Body.GetProperty("admission").GetProperty("state").GetString());
            return view.Body.GetProperty("resolvable").GetBoolean();
        }, "the orphaned admission becomes resolvable");
    }

    private static async Task<Answer> ResolveAsync(IgService ig, string run, JsonObject envelope, string outcome)
    {
        var body = new JsonObject { ["outcome"] = outcome, ["note"] = "checked the stream" }.Bytes();
        var resolved = await ig.Client("operator").PostAsync($"/v1/admissions/{Key(run, envelope)}:resolve", body, "application/json");
        Assert.True(resolved.Status == HttpStatusCode.OK, resolved.ToString());
        return resolved;
    }

    private static async Task AssertAdmittedOnceAsync(
        IgService ig, string run, string flow, JsonObject envelope, System.Text.Json.JsonElement receipt, ResolveOutcome outcome, AdmissionState from)
    {
        var producer = ig.Client("traffic");
        var record = Assert.Single(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
        Assert.Equal(CanonicalJson.Serialize(envelope.Element()), record);

        var stored = await producer.ReceiptAsync(receipt.GetProperty("receipt_id").GetString()!);
        Assert.Equal(receipt.GetProperty("eb_ref").GetRawText(), stored.GetProperty("eb_ref").GetRawText());
        var duplicate = await producer.PostEventAsync(envelope);
        Assert.Equal("DUPLICATE", duplicate.Decision);
        Assert.Equal(receipt.GetProperty("eb_ref").GetRawText(), duplicate.EbRef.GetRawText());

        var row = Read<AdmissionRow>((await Backends.StateAsync(Key(run, envelope)))!.Value);
        Assert.Equal(AdmissionState.Admitted, row.State);
        Assert.Null(row.Envelope);
        Assert.Equal(("HUMAN::corpus-operator", outcome, from, "checked the stream"),
            (row.Resolution!.ActorId, row.Resolution.Outcome, row.Resolution.ResolvedFrom, row.Resolution.Note));
        Assert.Single(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"timed out after {seconds}s waiting until {what}");
            }

            await Task.Delay(100);
        }
    }
}
