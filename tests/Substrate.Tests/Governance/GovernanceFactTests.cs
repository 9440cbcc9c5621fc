using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;

namespace Platform.Substrate.Tests.Governance;

public class GovernanceFactTests
{
    internal const string RunId = "platform_20261127T213503Z";

    internal static readonly PlatformRuntime Runtime = new(
        "ig",
        PlatformEnvironment.Dev,
        ServiceRelease.Parse("sha256:" + new string('e', 64)),
        new PolicyRev("ig_policy", "r1", new string('d', 64)));

    internal static readonly DateTimeOffset At = new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(1_234_567);

    internal static GovernanceFact PolicyRevChanged(string newDigest, DateTimeOffset? at = null) =>
        GovernanceFact.Create(
            GovernanceFactType.PolicyRevChanged,
            GovernanceActor.ForService(Runtime),
            new GovernancePins(RunId),
            Runtime.ProvenanceFor(new string('f', 64)),
            dedupeDetail: newDigest,
            details: new { OldDigest = new string('0', 64), NewDigest = newDigest, SegmentSeq = 1 },
            tsUtc: at ?? At);

    public static TheoryData<GovernanceFactType, string> FactTypeNames() => new()
    {
        { GovernanceFactType.RunStarted, "RUN_STARTED" },
        { GovernanceFactType.RunEnded, "RUN_ENDED" },
        { GovernanceFactType.PolicyRevChanged, "POLICY_REV_CHANGED" },
        { GovernanceFactType.CorridorAnomaly, "CORRIDOR_ANOMALY" },
        { GovernanceFactType.OfsBuildRequested, "OFS_BUILD_REQUESTED" },
        { GovernanceFactType.OfsBuildCompleted, "OFS_BUILD_COMPLETED" },
        { GovernanceFactType.MfTrainRequested, "MF_TRAIN_REQUESTED" },
        { GovernanceFactType.MfTrainCompleted, "MF_TRAIN_COMPLETED" },
        { GovernanceFactType.BundlePublished, "BUNDLE_PUBLISHED" },
        { GovernanceFactType.BundleApproved, "BUNDLE_APPROVED" },
        { GovernanceFactType.BundlePromotedActive, "BUNDLE_PROMOTED_ACTIVE" },
        { GovernanceFactType.BundleRolledBack, "BUNDLE_ROLLED_BACK" },
        { GovernanceFactType.PromotionRefused, "PROMOTION_REFUSED" },
        { GovernanceFactType.LabelAccepted, "LABEL_ACCEPTED" },
        { GovernanceFactType.LabelRejected, "LABEL_REJECTED" },
        { GovernanceFactType.EvidenceRefResolved, "EVIDENCE_REF_RESOLVED" },
        { GovernanceFactType.SecretRotated, "SECRET_ROTATED" },
        { GovernanceFactType.RunReportGenerated, "RUN_REPORT_GENERATED" },
    };

    [Theory]
    [MemberData(nameof(FactTypeNames))]
    public void Each_fact_type_has_its_contract_name(GovernanceFactType factType, string name)
    {
        Assert.Equal(name, GovernanceFact.WireName(factType));
        Assert.Equal($"\"{name}\"", JsonSerializer.Serialize(factType, PlatformJson.Options));
        Assert.Equal(factType, JsonSerializer.Deserialize<GovernanceFactType>($"\"{name}\"", PlatformJson.Options));
    }

    [Fact]
    public void The_fact_types_are_exactly_the_contract_list()
    {
        Assert.Equal(FactTypeNames().Count, Enum.GetValues<GovernanceFactType>().Length);
    }

    [Fact]
    public void Serializes_to_the_contract_shape()
    {
        var fact = PolicyRevChanged(new string('1', 64));

        using var json = JsonDocument.Parse(CanonicalJson.Serialize(fact));
        var root = json.RootElement;

        Assert.Equal(["actor", "details", "fact_id", "fact_type", "pins", "provenance", "ts_utc"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("POLICY_REV_CHANGED", root.GetProperty("fact_type").GetString());
        Assert.Equal("2026-11-27T21:35:03.123456Z", root.GetProperty("ts_utc").GetString());
        Assert.Equal("""{"actor_id":"SYSTEM::ig","source_component":"ig","source_type":"SYSTEM"}""", root.GetProperty("actor").GetRawText());
        Assert.Equal($$"""{"platform_run_id":"{{RunId}}"}""", root.GetProperty("pins").GetRawText());
        Assert.Equal(
            $$"""{"config_revision":"{{new string('d', 64)}}","environment":"dev","run_config_digest":"{{new string('f', 64)}}","service_release_id":"sha256:{{new string('e', 64)}}"}""",
            root.GetProperty("provenance").GetRawText());
        Assert.Equal(1, root.GetProperty("details").GetProperty("segment_seq").GetInt32());
    }

    [Fact]
    public void Fact_id_is_H_of_type_run_component_and_dedupe_detail()
    {
        var fact = PolicyRevChanged(new string('1', 64));

        var expected = Digests.Sha256Hex(Encoding.UTF8.GetBytes($"\"POLICY_REV_CHANGED|{RunId}|ig|{new string('1', 64)}\""));
        Assert.Equal(expected, fact.FactId);
    }

    [Fact]
    public void A_retried_emit_gets_the_same_id_and_a_different_occurrence_another()
    {
        var first = PolicyRevChanged(new string('1', 64));
        var retry = PolicyRevChanged(new string('1', 64), At.AddSeconds(5));
        var other = PolicyRevChanged(new string('2', 64));

        Assert.Equal(first.FactId, retry.FactId);
        Assert.NotEqual(first.FactId, other.FactId);
    }

    [Fact]
    public void Round_trips_through_json()
    {
        var fact = PolicyRevChanged(new string('1', 64));

        var bytes = CanonicalJson.Serialize(fact);
        var read = JsonSerializer.Deserialize<GovernanceFact>(bytes, PlatformJson.Options)!;

        Assert.Equal(fact.FactId, read.FactId);
        Assert.Equal(fact.TsUtc, read.TsUtc);
        Assert.Equal(fact.Actor, read.Actor);
        Assert.Equal(fact.Pins, read.Pins);
        Assert.Equal(fact.Provenance, read.Provenance);
        Assert.Equal(bytes, CanonicalJson.Serialize(read));
    }

    [Theory]
    [InlineData("")]
    [InlineData("platform_x")]
    [InlineData("../../etc")]
    public void A_fact_without_a_valid_platform_run_id_is_invalid(string runId)
    {
        var exception = Assert.Throws<InvalidGovernanceFactException>(() => GovernanceFact.Create(
            GovernanceFactType.RunStarted, GovernanceActor.ForService(Runtime), new GovernancePins(runId), Runtime.ProvenanceFor(null), "", new { }, At));

        Assert.Contains("platform_run_id", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HUMAN::alice", SourceType.System, "ig")]
    [InlineData("SYSTEM::ig", SourceType.Human, "ig")]
    [InlineData("SYSTEM::", SourceType.System, "ig")]
    [InlineData("alice", SourceType.Human, "mpr")]
    [InlineData("HUMAN::alice", SourceType.Human, "")]
    [InlineData("HUMAN::alice", SourceType.Human, "mpr|x")]
    public void An_actor_whose_id_and_source_type_disagree_is_invalid(string actorId, SourceType sourceType, string component)
    {
        Assert.Throws<InvalidGovernanceFactException>(() => GovernanceFact.Create(
            GovernanceFactType.BundlePromotedActive, new GovernanceActor(actorId, sourceType, component), new GovernancePins(RunId), Runtime.ProvenanceFor(null), "b1", new { }, At));
    }

    [Fact]
    public void An_authenticated_human_caller_becomes_the_actor_and_the_service_the_source_component()
    {
        var caller = new ActorContext("HUMAN::alice", SourceType.Human, AuthMode.Jwt, new HashSet<string> { "governance" });
        var mpr = new PlatformRuntime("mpr", PlatformEnvironment.Prod, ServiceRelease.Parse("0a1b2c3d"));

        var fact = GovernanceFact.Create(
            GovernanceFactType.BundlePromotedActive, GovernanceActor.ForCaller(caller, mpr), new GovernancePins(RunId), mpr.ProvenanceFor(null), "b1", new { BundleId = "b1" }, At);

        Assert.Equal(new GovernanceActor("HUMAN::alice", SourceType.Human, "mpr"), fact.Actor);
        Assert.Equal(GovernanceFact.ComputeFactId(GovernanceFactType.BundlePromotedActive, RunId, "mpr", "b1"), fact.FactId);
    }

    [Fact]
    public void Details_must_be_a_json_object()
    {
        Assert.Throws<InvalidGovernanceFactException>(() => GovernanceFact.Create(
            GovernanceFactType.RunEnded, GovernanceActor.ForService(Runtime), new GovernancePins(RunId), Runtime.ProvenanceFor(null), "", "not an object", At));
    }
}
