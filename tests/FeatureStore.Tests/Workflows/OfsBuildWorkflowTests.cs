using System.Text.Json;
using Dapr.Workflow;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing.Fakes;

namespace FeatureStore.Tests.Workflows;

/// <summary>OfsBuildWorkflow against a mocked WorkflowContext: the activity sequence, its inputs, progress and fail-closed behaviour.</summary>
public sealed class OfsBuildWorkflowTests
{
    private static readonly DateTime Now = new(2026, 11, 28, 2, 0, 0, DateTimeKind.Utc);

    internal static OfsBuildRequest Request(string run = "platform_20261120T000000Z") => new(
        run,
        [
            new ReplayRange("fp.bus.traffic.v1", ReplayRange.ArchiveKey, "20261120T000000000000Z_" + new string('0', 32), "20261121T000000000000Z_" + new string('f', 32)),
            new ReplayRange("fp.bus.context.v1", ReplayRange.ArchiveKey, "20261120T000000000000Z_" + new string('0', 32), "20261121T000000000000Z_" + new string('f', 32)),
        ],
        new LabelBasis(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), LabelBasis.FraudPositiveElseMatureNegativeV0, 3),
        FeatureDefinitionSetRef.Of(FraudCore.V1),
        new string('1', 40));

    private static FakeWorkflowContext Context(OfsBuildRequest request, Func<BuildDatasetInput, object?>? build = null)
    {
        var counts = new RowCounts(10, 2, 1, 3, 4);
        return new FakeWorkflowContext(nameof(OfsBuildWorkflow), request.BuildId(), Now)
            .On<SnapshotArchiveInput>(nameof(SnapshotArchiveActivity), i => new ArchiveSnapshot(i.Range, 5, $"keys/{i.Range.Stream}", new string('a', 64)))
            .On<SnapshotLabelsInput>(nameof(SnapshotLabelsActivity), i => new LabelSnapshot(7, $"labels/{i.BuildId}", new string('b', 64)))
            .On(nameof(BuildDatasetActivity), build ?? (i => new DatasetBuildOutput([new ContentDigest($"dataset/{i.BuildId}", new string('c', 64))], counts, ["s1"], [.. i.Archives.Select(a => a.SegmentCount * 100)])))
            .On<WriteManifestInput>(nameof(WriteManifestActivity), i => new ManifestRef("dm_" + new string('d', 32), "manifest/" + i.Request.PlatformRunId, new string('e', 64)))
            .On<BuildCompletedInput>(nameof(EmitBuildCompletedActivity), i => "fact-" + i.BuildId);
    }

    [Fact]
    public async Task A_build_freezes_its_inputs_then_builds_writes_the_manifest_and_emits_completed_in_that_order()
    {
        var request = Request();
        var context = Context(request);

        var result = await new OfsBuildWorkflow().RunAsync(context, request);

        Assert.Equal(
            [nameof(SnapshotArchiveActivity), nameof(SnapshotArchiveActivity), nameof(SnapshotLabelsActivity), nameof(BuildDatasetActivity), nameof(WriteManifestActivity), nameof(EmitBuildCompletedActivity)],
            context.Calls.Select(c => c.Name));
        Assert.All(context.Calls, c => Assert.Same(OfsBuildWorkflow.ActivityOptions, c.Options));
        Assert.Equal(request.ReplayBasis, context.Calls.Take(2).Select(c => ((SnapshotArchiveInput)c.Input!).Range));

        var build = (BuildDatasetInput)context.Calls[3].Input!;
        Assert.Equal(request.BuildId(), build.BuildId);
        Assert.Equal(["keys/fp.bus.traffic.v1", "keys/fp.bus.context.v1"], build.Archives.Select(a => a.KeysObjectRef));
        Assert.Equal(7, build.Labels.LabelCount);
        Assert.Equal(request.LabelBasis, build.LabelBasis);
        Assert.Equal(request.FeatureDefinitionSet, build.FeatureDefinitionSet);

        var manifest = (WriteManifestInput)context.Calls[4].Input!;
        Assert.Same(request, manifest.Request);
        Assert.Equal(build.Archives, manifest.Archives);

        var completed = (BuildCompletedInput)context.Calls[5].Input!;
        Assert.Equal(new DateTimeOffset(Now), completed.CompletedAtUtc);
        Assert.Equal(result.Manifest, completed.Manifest);
        Assert.Equal(new RowCounts(10, 2, 1, 3, 4), result.RowCounts);
        Assert.Equal(request.BuildId(), result.BuildId);
    }

    [Fact]
    public async Task Progress_moves_forward_through_the_stages_and_ends_complete()
    {
        var request = Request();
        var context = Context(request);

        await new OfsBuildWorkflow().RunAsync(context, request);

        var progress = context.Statuses.Cast<OfsBuildProgress>().ToList();
        Assert.Equal(OfsBuildWorkflow.SnapshotStage, progress[0].Stage);
        Assert.Equal(0, progress[0].StepsDone);
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.Second.StepsDone > p.First.StepsDone));
        Assert.Equal(new OfsBuildProgress(OfsBuildWorkflow.CompletedStage, request.ReplayBasis.Count + 4, request.ReplayBasis.Count + 4), progress[^1]);
        Assert.Contains(progress, p => p.Stage == OfsBuildWorkflow.BuildStage);
        Assert.Contains(progress, p => p.Stage == OfsBuildWorkflow.ManifestStage);
    }

    [Fact]
    public async Task A_failed_dataset_build_fails_the_workflow_before_any_manifest_or_completed_fact()
    {
        var request = Request();
        var context = Context(request, _ => throw new InvalidDataException("Build input does not match its digest."));

        await Assert.ThrowsAsync<WorkflowTaskFailedException>(() => new OfsBuildWorkflow().RunAsync(context, request));

        Assert.DoesNotContain(context.Calls, c => c.Name is nameof(WriteManifestActivity) or nameof(EmitBuildCompletedActivity));
        Assert.DoesNotContain(context.Statuses.Cast<OfsBuildProgress>(), p => p.Stage == OfsBuildWorkflow.CompletedStage);
    }

    [Fact]
    public async Task The_same_request_replays_to_the_same_calls()
    {
        var first = Context(Request());
        var second = Context(Request());

        await new OfsBuildWorkflow().RunAsync(first, Request());
        await new OfsBuildWorkflow().RunAsync(second, Request());

        Assert.Equal(Serialized(first), Serialized(second));
    }

    private static string Serialized(FakeWorkflowContext context) =>
        JsonSerializer.Serialize(context.Calls.Select(c => new { c.Name, Input = JsonSerializer.SerializeToElement(c.Input, c.Input!.GetType(), PlatformJson.Options) }), PlatformJson.Options);
}
