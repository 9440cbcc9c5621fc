using ModelFactory.Domain;
using Platform.Substrate.Pinning;

namespace ModelFactory.Tests.Domain;

public sealed class MfTrainRequestTests
{
    private static readonly string Fingerprint = Digests.Sha256Hex("dataset"u8);

    public static MfTrainRequest Valid() => new(
        MfTrainRequest.Version,
        "platform_20261128T000000Z",
        [new("dm_" + Digests.Hex32(Fingerprint), Fingerprint)],
        TrainingConfig.Default,
        new ScopeKey("local_parity", "fraud", "primary"),
        "1");

    [Fact]
    public void A_pinned_request_is_accepted_and_its_job_id_is_derived_from_its_digest()
    {
        var request = Valid();

        Assert.Empty(MfTrainRequestValidator.Validate(request));
        Assert.Equal("mft_" + Digests.Hex32(Digests.Of(request)), request.JobId());
        Assert.Equal(request.JobId(), Valid().JobId());
        Assert.NotEqual(request.JobId(), (request with { BundleVersion = "2" }).JobId());
        Assert.NotEqual(request.JobId(), (request with { TrainingConfig = TrainingConfig.Default with { Seed = 1 } }).JobId());
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("dm_latest")]
    [InlineData("DM_0123456789ABCDEF0123456789ABCDEF")]
    public void A_manifest_named_by_alias_is_refused_as_mutable(string id)
    {
        var problems = MfTrainRequestValidator.Validate(Valid() with { DatasetManifestRefs = [new(id, Fingerprint)] });
        Assert.Contains(problems, p => p is { Member: "/dataset_manifest_refs/0/dataset_manifest_id", Code: MfTrainRequestValidator.MutableRef });
    }

    [Fact]
    public void A_missing_fingerprint_or_an_id_that_is_not_derived_from_it_is_refused()
    {
        var request = Valid();
        var other = Digests.Sha256Hex("other"u8);

        var noDigest = MfTrainRequestValidator.Validate(request with { DatasetManifestRefs = [new(request.DatasetManifestRefs[0].DatasetManifestId, "latest")] });
        var mismatch = MfTrainRequestValidator.Validate(request with { DatasetManifestRefs = [new(request.DatasetManifestRefs[0].DatasetManifestId, other)] });

        Assert.Contains(noDigest, p => p is { Member: "/dataset_manifest_refs/0/dataset_fingerprint", Code: MfTrainRequestValidator.MutableRef });
        Assert.Contains(mismatch, p => p is { Member: "/dataset_manifest_refs/0", Code: MfTrainRequestValidator.DigestMismatch });
    }

    [Fact]
    public void Other_defects_are_each_named()
    {
        var request = Valid() with
        {
            PlatformRunId = "run-1",
            DatasetManifestRefs = [Valid().DatasetManifestRefs[0], Valid().DatasetManifestRefs[0]],
            TrainingConfig = TrainingConfig.Default with { K = 0 },
            TargetScopeKey = new ScopeKey("local_parity", "", "primary"),
            BundleVersion = "Latest",
        };

        var members = MfTrainRequestValidator.Validate(request).Select(p => p.Member).ToList();

        Assert.Equal(["/platform_run_id", "/dataset_manifest_refs", "/training_config", "/target_scope_key", "/bundle_version"], members);
        Assert.Equal([new RequestProblem("", MfTrainRequestValidator.Missing, "A train request body is required.")], MfTrainRequestValidator.Validate(null));
    }
}
