using System.Net;
using IngestionGate.Domain;
using IngestionGate.Infrastructure;
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
}
