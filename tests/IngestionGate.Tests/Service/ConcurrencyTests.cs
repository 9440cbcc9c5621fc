using System.Net;
using System.Text.Json;
using IngestionGate.Domain;
using IngestionGate.Infrastructure;
using IngestionGate.Tests.Domain;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

[Collection(IgServiceCollectionDefinition.Name)]
public sealed class ConcurrencyTests(IgServiceFixture fixture)
{
    private const int Submissions = 1000;

    [Fact]
    public async Task A_thousand_concurrent_submissions_of_one_event_admit_it_once_and_publish_it_once()
    {
        var run = FreshRunId();
        var flow = Unique("flow");
        var eventId = Unique("evt");
        var envelope = Transaction(run, eventId, flow);
        var producer = fixture.Ig.Client("traffic");

        // Two IG replicas on one sidecar share the work, so the in-process claim and the cross-process first write both decide.
        await using var replica = await IgService.StartAsync(fixture.Sidecar, new Dictionary<string, string?> { ["IngestionGate:InFlightPoll"] = "00:00:00.020" });
        var clients = new[] { producer, replica.Client("traffic") };
        var answers = await Task.WhenAll(Enumerable.Range(0, Submissions).Select(i => clients[i % 2].PostEventAsync(envelope)));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.ToString()));
        var decisions = answers.GroupBy(a => a.Decision).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["ADMIT"] = 1, ["DUPLICATE"] = Submissions - 1 }, decisions);
        Assert.Single(answers.Select(a => a.EbRef.GetRawText()).Distinct());
        Assert.Single(answers.Where(a => a.Decision == "DUPLICATE").Select(a => a.ReceiptId).Distinct());

        Assert.Single(await Backends.StreamRecordsAsync(PlatformNames.Streams.Traffic, PartitionKey(flow)));
        var row = Read<AdmissionRow>((await Backends.StateAsync(DedupeKey(run, eventId)))!.Value);
        Assert.Equal((AdmissionState.Admitted, 1), (row.State, row.Admission.PublishAttempt));
        foreach (var receiptId in answers.Select(a => a.ReceiptId).Distinct())
        {
            await producer.ReceiptAsync(receiptId);
        }
    }

    [Fact]
    public async Task Rows_inserted_together_are_all_or_nothing_so_a_row_taken_by_another_process_writes_none()
    {
        var store = fixture.Ig.Services.GetRequiredService<AdmissionStore>();
        var rows = Enumerable.Range(0, 3).Select(_ => Row(Unique("evt"))).ToList();
        Assert.True(await store.TryInsertAsync(rows[1], CancellationToken.None));

        Assert.False(await store.TryInsertAllAsync(rows, CancellationToken.None));
        Assert.Equal([rows[1].DedupeKey], (await store.GetManyAsync(rows.Select(r => r.DedupeKey), CancellationToken.None)).Keys);

        var fresh = new[] { rows[0], rows[2] };
        Assert.True(await store.TryInsertAllAsync(fresh, CancellationToken.None));
        var stored = await store.GetManyAsync(fresh.Select(r => r.DedupeKey), CancellationToken.None);
        Assert.All(fresh, row => Assert.Equal(row.Admission.ToUtf8Json(), stored[row.DedupeKey].Value.Admission.ToUtf8Json()));
    }

    private static AdmissionRow Row(string eventId)
    {
        var admissible = AdmissionRecordTests.Admissible(eventId);
        using var envelope = JsonDocument.Parse(admissible.Record);
        return new AdmissionRow(AdmissionRecord.InFlight(admissible, TestPolicy.Shipped.PolicyRev, DateTimeOffset.UtcNow), envelope.RootElement.Clone());
    }
}
