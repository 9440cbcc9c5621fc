using System.Text.Json;
using ModelFactory.Domain;
using ModelFactory.Tests.Domain;
using ModelFactory.Tests.Training;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;

namespace ModelFactory.Tests.Contracts;

/// <summary>The C# records of MF and the JSON Schemas under schemas/mf describe the same shapes.</summary>
public sealed class MfSchemaTests(TrainedRuns runs) : IClassFixture<TrainedRuns>
{
    [Fact]
    public void A_pass_eval_report_and_its_bundle_manifest_conform()
    {
        Assert.Empty(SchemaContract.Errors("mf/eval_report.v0.schema.json", Parse(runs.First.EvalReportJson)));
        Assert.Empty(SchemaContract.Errors("mf/bundle_manifest.v0.schema.json", Parse(runs.First.BundleJson)));
        Assert.Equal("PASS", Parse(runs.First.EvalReportJson).GetProperty("gate_decision").GetString());
    }

    [Fact]
    public void A_fail_eval_report_conforms()
    {
        var report = Parse(runs.Shuffled.EvalReportJson);
        Assert.Empty(SchemaContract.Errors("mf/eval_report.v0.schema.json", report));
        Assert.Equal("FAIL", report.GetProperty("gate_decision").GetString());
    }

    [Fact]
    public void A_policy_without_decline_conforms_and_the_schema_refuses_unknown_members()
    {
        var noDecline = runs.First.EvalReport with
        {
            Thresholds = runs.First.EvalReport.Thresholds with { DeclineAt = null, DeclinePrecision = null, DeclineRecall = null },
        };
        Assert.Empty(SchemaContract.Errors("mf/eval_report.v0.schema.json", JsonSerializer.SerializeToElement(noDecline, PlatformJson.Options)));

        var node = System.Text.Json.Nodes.JsonNode.Parse(runs.First.BundleJson.Span)!.AsObject();
        node["bundle_id"] = "x";
        Assert.NotEmpty(SchemaContract.Errors("mf/bundle_manifest.v0.schema.json", JsonSerializer.SerializeToElement(node)));
    }

    [Fact]
    public void The_shipped_gate_profile_conforms_to_its_schema()
    {
        var profile = File.ReadAllBytes(SchemaContract.PathOf("mf/" + GateProfile.FileName));
        Assert.Empty(SchemaContract.Errors("mf/gate_profile.v0.schema.json", Parse(profile)));
        Assert.Empty(SchemaContract.Errors("mf/gate_profile.v0.schema.json", JsonSerializer.SerializeToElement(runs.Profile, PlatformJson.Options)));
    }

    [Fact]
    public void A_valid_train_request_conforms_and_latest_refs_are_refused_by_the_schema_too()
    {
        var request = MfTrainRequestTests.Valid();
        Assert.Empty(MfTrainRequestValidator.Validate(request));
        Assert.Empty(SchemaContract.Errors("mf/train_request.v0.schema.json", JsonSerializer.SerializeToElement(request, PlatformJson.Options)));

        var latest = request with { DatasetManifestRefs = [new("latest", request.DatasetManifestRefs[0].DatasetFingerprint)], BundleVersion = "latest" };
        var errors = SchemaContract.Errors("mf/train_request.v0.schema.json", JsonSerializer.SerializeToElement(latest, PlatformJson.Options));
        Assert.Contains(errors, e => e.StartsWith("/dataset_manifest_refs/0/dataset_manifest_id", StringComparison.Ordinal));
        Assert.True(errors.Any(e => e.StartsWith("/bundle_version", StringComparison.Ordinal)), string.Join("\n", errors));
    }

    private static JsonElement Parse(ReadOnlyMemory<byte> json) => JsonDocument.Parse(json).RootElement.Clone();
}
