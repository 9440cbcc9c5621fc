using System.Text.Json;
using System.Text.Json.Nodes;
using FeatureStore.Domain;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Tests.Workflows;

/// <summary>Fail-closed validation of OFS build requests, and the build id that makes a repeated request the same job.</summary>
public sealed class BuildRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<RequestProblem> Validate(OfsBuildRequest request) =>
        OfsBuildRequestValidator.Validate(request, FeatureSetCatalog.All, Now);

    private static OfsBuildRequest With(Action<JsonObject> change)
    {
        var json = JsonSerializer.SerializeToNode(OfsBuildWorkflowTests.Request(), PlatformJson.Options)!.AsObject();
        change(json);
        return json.Deserialize<OfsBuildRequest>(PlatformJson.Options)!;
    }

    [Fact]
    public void A_fully_pinned_request_is_accepted()
    {
        Assert.Empty(Validate(OfsBuildWorkflowTests.Request()));
    }

    [Theory]
    [InlineData("/ofs_code_release_id")]
    [InlineData("/replay_basis/0/end_offset")]
    [InlineData("/feature_definition_set/feature_set_version")]
    [InlineData("/feature_definition_set/definition_digest")]
    public void Latest_anywhere_is_refused_as_a_mutable_ref(string member)
    {
        var request = With(json =>
        {
            var segments = member.Trim('/').Split('/');
            JsonNode node = json;
            foreach (var segment in segments[..^1])
            {
                node = int.TryParse(segment, out var index) ? node[index]! : node[segment]!;
            }

            node[segments[^1]] = "latest";
        });

        Assert.Contains(Validate(request), p => p.Member == member && p.Code == OfsBuildRequestValidator.MutableRef);
    }

    [Fact]
    public void Labels_as_of_a_future_instant_and_unknown_or_mismatched_feature_sets_are_refused()
    {
        var future = OfsBuildWorkflowTests.Request() with { LabelBasis = OfsBuildWorkflowTests.Request().LabelBasis with { LabelAsofUtc = Now.AddSeconds(1) } };
        Assert.Contains(Validate(future), p => p.Member == "/label_basis/label_asof_utc" && p.Code == OfsBuildRequestValidator.MutableRef);

        var unknown = OfsBuildWorkflowTests.Request() with { FeatureDefinitionSet = new FeatureDefinitionSetRef("fraud_core", "v9", FraudCore.V1.DefinitionDigest) };
        Assert.Contains(Validate(unknown), p => p.Code == OfsBuildRequestValidator.UnknownFeatureSet);

        var mismatched = OfsBuildWorkflowTests.Request() with { FeatureDefinitionSet = FeatureDefinitionSetRef.Of(FraudCore.V1) with { DefinitionDigest = new string('0', 64) } };
        Assert.Contains(Validate(mismatched), p => p.Code == OfsBuildRequestValidator.DigestMismatch);
    }

    [Fact]
    public void Replay_ranges_must_be_archive_offsets_in_order_with_the_traffic_stream()
    {
        var request = OfsBuildWorkflowTests.Request();
        var reversed = request with { ReplayBasis = [request.ReplayBasis[0] with { StartOffset = request.ReplayBasis[0].EndOffset, EndOffset = request.ReplayBasis[0].StartOffset }] };
        var noTraffic = request with { ReplayBasis = [request.ReplayBasis[1]] };
        var timeOnly = request with { ReplayBasis = [request.ReplayBasis[0] with { StartOffset = "2026-11-20T00:00:00Z" }] };
        var otherKind = request with { ReplayBasis = [request.ReplayBasis[0] with { OffsetKind = "kinesis_sequence" }] };

        Assert.Contains(Validate(reversed), p => p.Member == "/replay_basis/0");
        Assert.Contains(Validate(noTraffic), p => p.Member == "/replay_basis" && p.Code == OfsBuildRequestValidator.Missing);
        Assert.Contains(Validate(timeOnly), p => p.Member == "/replay_basis/0/start_offset");
        Assert.Contains(Validate(otherKind), p => p.Member == "/replay_basis/0/offset_kind");
    }

    [Fact]
    public void The_build_id_is_stable_for_the_same_request_and_moves_with_any_input()
    {
        var request = OfsBuildWorkflowTests.Request();
        Assert.Matches("^ofsb_[0-9a-f]{32}$", request.BuildId());
        Assert.Equal(request.BuildId(), OfsBuildWorkflowTests.Request().BuildId());

        var others = new[]
        {
            request with { PlatformRunId = "platform_20261121T000000Z" },
            request with { OfsCodeReleaseId = new string('2', 40) },
            request with { LabelBasis = request.LabelBasis with { MaturityDays = 4 } },
            request with { ReplayBasis = [request.ReplayBasis[0]] },
        };
        Assert.Equal(others.Length + 1, others.Select(o => o.BuildId()).Append(request.BuildId()).Distinct().Count());
    }
}
