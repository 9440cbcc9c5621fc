using Dapr.Workflow;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Tests.Workflows;
using FeatureStore.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using Platform.Substrate.Workflows;
using Platform.Testing;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Service;

/// <summary>
/// OfsBuildWorkflow end to end on the real Dapr.Workflow SDK and the harness's workflow engine: records go over the
/// bus into the archive, the build freezes them, builds the dataset, writes the manifest and OFS_BUILD_COMPLETED.
/// </summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class BuildWorkflowEndToEndTests(OfsServiceFixture fixture)
{
    [Fact]
    public async Task A_build_over_archived_traffic_completes_with_a_manifest_its_dataset_and_the_completed_fact()
    {
        var run = FreshRunId();
        var t0 = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
        var flows = Enumerable.Range(0, 3).Select(_ => Unique("flow")).ToList();
        for (var i = 0; i < 24; i++)
        {
            // Three flows (accounts), so account windows fill up across the run.
            var flow = flows[i % 3];
            await fixture.Bus.PublishAsync(PlatformNames.Streams.Traffic, PartitionKey(flow), Bytes(Transaction(run, $"evt-{i:D3}", flow, t0.AddMinutes(7 * i))));
        }

        // All 24 in segments: a build then reads what the writer compacted, none left for the snapshot to compact.
        Assert.Equal(24, (await CompactedAsync(run, "traffic", 24)).Records.Count);
        fixture.Labels.Runs[run] =
        [
            new LabelObservation("evt-003", LabelObservation.ChargebackStatus, "CHARGEBACK", t0.AddDays(1), "la-1"),
            new LabelObservation("evt-004", LabelObservation.ChargebackStatus, "CHARGEBACK", new DateTimeOffset(2026, 11, 27, 0, 0, 1, TimeSpan.Zero), "la-2"),
        ];
        var template = OfsBuildWorkflowTests.Request(run);
        var request = template with
        {
            ReplayBasis = [template.ReplayBasis[0] with { StartOffset = "20261101T000000000000Z_" + new string('0', 32), EndOffset = "20261130T000000000000Z_" + new string('f', 32) }],
        };
        var jobs = new WorkflowOfsBuildJobs(fixture.Services.GetRequiredService<DaprWorkflowClient>());

        await jobs.StartAsync(request, CancellationToken.None);
        WorkflowJobStatus<OfsBuildProgress, OfsBuildResult>? job = null;
        await Eventually.WaitAsync("the build to finish", async () =>
            (job = await jobs.GetAsync(request.BuildId(), CancellationToken.None)) is { Status: "COMPLETED" or "FAILED" or "TERMINATED" }, seconds: 120);

        Assert.True(job!.Status == "COMPLETED", $"{job.Status}: {job.Failure}");
        Assert.Equal(new OfsBuildProgressView("completed", 5, 5), new OfsBuildProgressView(job.Progress!.Stage, job.Progress.StepsDone, job.Progress.StepsTotal));
        // evt-004's chargeback was observed after label_asof_utc: it is left out and the transaction is a negative.
        Assert.Equal(new RowCounts(24, 1, 0, 0, 1), job.Result!.RowCounts);

        var manifest = (await ObjectAsync(job.Result.Manifest.ObjectRef))!.Value;
        Assert.Empty(SchemaContract.Errors("ofs/dataset_manifest.v0.schema.json", manifest));
        Assert.Equal(job.Result.Manifest.DatasetFingerprint, manifest.GetProperty("dataset_fingerprint").GetString());
        Assert.Equal(24, manifest.GetProperty("replay_basis")[0].GetProperty("record_count").GetInt64());
        var dataset = manifest.GetProperty("content_digests")[0];
        var parquet = (await BytesAsync(dataset.GetProperty("object_ref").GetString()!))!;
        Assert.Equal(Digests.Sha256Hex(parquet), dataset.GetProperty("sha256").GetString());

        var factKey = GovernanceFactEmitter.ObjectKey(run, GovernanceFact.ComputeFactId(GovernanceFactType.OfsBuildCompleted, run, "ofs", request.BuildId()));
        var fact = (await ObjectAsync(factKey))!.Value;
        Assert.Empty(SchemaContract.Errors("governance_fact.v0.schema.json", fact));
        Assert.Equal(job.Result.Manifest.DatasetFingerprint, fact.GetProperty("details").GetProperty("dataset_fingerprint").GetString());
    }

    private sealed record OfsBuildProgressView(string Stage, int Done, int Total);
}
