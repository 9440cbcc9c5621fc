using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ModelFactory.Activities;
using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using ModelFactory.Tests.Domain;
using ModelFactory.Tests.Infrastructure;
using ModelFactory.Workflows;
using Platform.Features;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Testing;
using Platform.Testing.Fakes;

namespace ModelFactory.Tests.Workflows;

/// <summary>The job's activities over an in-memory object store: verified inputs, write-once evidence, facts, fail-closed digests.</summary>
public sealed class ActivityTests
{
    private const string Run = "platform_20261128T000000Z";
    private static readonly PlatformRuntime Runtime = new("mf", PlatformEnvironment.LocalParity, ServiceRelease.Parse(new string('9', 40)));
    private static readonly DateTimeOffset At = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    private readonly InMemoryObjectStore _store = new();
    private readonly RecordingEventBus _bus = new();

    private GovernanceFactEmitter Emitter => new(_store, _bus, NullLogger<GovernanceFactEmitter>.Instance);

    private TrainAndEvaluateActivity Trainer
    {
        get
        {
            var (profile, digest) = GateProfile.Load(SchemaContract.SchemasDirectory);
            return new TrainAndEvaluateActivity(_store, Runtime, new LoadedGateProfile(profile, digest));
        }
    }

    [Fact]
    public async Task A_pass_job_leaves_the_report_the_model_the_bundle_and_both_facts_and_a_retry_rewrites_nothing()
    {
        var request = await StageAsync(Synthetic.Rows(4_000, seed: 11));

        var check = await new VerifyManifestsActivity(_store).RunAsync(null!, request);
        Assert.Null(check.Problem);
        var trained = await Trainer.RunAsync(null!, new TrainInput(request.JobId(), request, check.Manifests));
        Assert.Equal(GateDecision.Pass, trained.GateDecision);
        var bundle = await new PublishBundleActivity(_store, Emitter, Runtime).RunAsync(
            null!, new PublishBundleInput(request.JobId(), Run, request.TargetScopeKey, trained.Bundle!, trained.BundleId!, At));
        await new EmitTrainCompletedActivity(Emitter, Runtime).RunAsync(null!, new TrainCompletedInput(request.JobId(), request, trained, bundle, At));

        var report = _store.Objects[trained.EvalReport.ObjectKey];
        Assert.Equal(trained.EvalReport.Sha256, Digests.Sha256Hex(report));
        Assert.Equal(trained.BundleId, Digests.Sha256Hex(_store.Objects[bundle.ObjectKey]));
        Assert.Equal(MfKeys.Bundle(Run, trained.BundleId!), bundle.ObjectKey);
        Assert.Equal(trained.ModelSha256, Digests.Sha256Hex(_store.Objects[trained.Bundle!.Model.ArtefactRef]));

        var facts = StoredFacts(GovernanceFactType.BundlePublished, GovernanceFactType.MfTrainCompleted);
        Assert.All(facts.Values, f => Assert.Empty(SchemaContract.Errors("governance_fact.v0.schema.json", f)));
        Assert.Equal(trained.BundleId, facts[GovernanceFactType.BundlePublished].GetProperty("details").GetProperty("bundle_id").GetString());
        var completed = facts[GovernanceFactType.MfTrainCompleted].GetProperty("details");
        Assert.Equal("PASS", completed.GetProperty("gate_decision").GetString());
        Assert.Equal(trained.EvalReport.EvalReportId, completed.GetProperty("eval_report_ref").GetProperty("eval_report_id").GetString());

        // A retried activity (same inputs) produces the same bytes: nothing conflicts, nothing new is written.
        var objects = _store.Objects.Count;
        Assert.Equal(trained.BundleId, (await Trainer.RunAsync(null!, new TrainInput(request.JobId(), request, check.Manifests))).BundleId);
        Assert.Equal(objects, _store.Objects.Count);
    }

    [Fact]
    public async Task A_fail_gate_writes_the_eval_report_but_no_model()
    {
        var rows = Synthetic.Rows(4_000, seed: 11);
        var labels = rows.Select(r => r.Label).ToArray();
        new Random(5).Shuffle(labels);
        var request = await StageAsync([.. rows.Select((r, i) => r with { Label = labels[i] })]);

        var check = await new VerifyManifestsActivity(_store).RunAsync(null!, request);
        var trained = await Trainer.RunAsync(null!, new TrainInput(request.JobId(), request, check.Manifests));

        Assert.Equal(GateDecision.Fail, trained.GateDecision);
        Assert.Null(trained.Bundle);
        Assert.True(_store.Objects.ContainsKey(trained.EvalReport.ObjectKey));
        Assert.DoesNotContain(_store.Objects.Keys, k => k.Contains("/mf/models/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dataset_object_that_no_longer_hashes_to_its_manifest_digest_fails_closed()
    {
        var request = await StageAsync(Synthetic.Rows(500, seed: 2));
        var check = await new VerifyManifestsActivity(_store).RunAsync(null!, request);
        var dataset = check.Manifests[0].Objects[0].ObjectRef;
        _store.Objects[dataset] = [.. _store.Objects[dataset].Reverse()];

        await Assert.ThrowsAsync<InvalidDataException>(() => Trainer.RunAsync(null!, new TrainInput(request.JobId(), request, check.Manifests)));
        Assert.DoesNotContain(_store.Objects.Keys, k => k.Contains("/mf/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_or_unknown_inputs_are_refused_by_verification()
    {
        var missing = MfTrainRequestTests.Valid();
        Assert.Contains("does not exist", (await new VerifyManifestsActivity(_store).RunAsync(null!, missing)).Problem, StringComparison.Ordinal);

        var (json, reference) = ManifestVerificationTests.Manifest([new DatasetObject("x", new string('d', 64))], definitionDigest: new string('0', 64));
        _store.Objects[ManifestVerifier.ManifestKey(Run, reference.DatasetManifestId)] = json;
        var unknown = missing with { DatasetManifestRefs = [reference] };
        Assert.Contains("not implemented", (await new VerifyManifestsActivity(_store).RunAsync(null!, unknown)).Problem, StringComparison.Ordinal);

        var wrongDigest = missing with { DatasetManifestRefs = [reference with { DatasetFingerprint = new string('1', 64) }] };
        Assert.Contains("not the requested", (await new VerifyManifestsActivity(_store).RunAsync(null!, wrongDigest)).Problem, StringComparison.Ordinal);
    }

    /// <summary>Stores the rows as an OFS dataset and its manifest; returns a request naming that manifest.</summary>
    private async Task<MfTrainRequest> StageAsync(IReadOnlyList<TrainingRow> rows)
    {
        var parquet = await OfsLayoutParquet.WriteAsync(FraudCore.V1, rows);
        var objectRef = $"{Run}/ofs/datasets/ofsb_test/part-00000.parquet";
        _store.Objects[objectRef] = parquet;
        var (json, reference) = ManifestVerificationTests.Manifest([new DatasetObject(objectRef, Digests.Sha256Hex(parquet))]);
        _store.Objects[ManifestVerifier.ManifestKey(Run, reference.DatasetManifestId)] = json;
        return MfTrainRequestTests.Valid() with { DatasetManifestRefs = [reference] };
    }

    private Dictionary<GovernanceFactType, JsonElement> StoredFacts(params GovernanceFactType[] types)
    {
        var facts = _store.Objects
            .Where(o => o.Key.StartsWith($"{Run}/obs/governance/", StringComparison.Ordinal))
            .Select(o => JsonDocument.Parse(o.Value).RootElement.Clone())
            .ToList();
        return types.ToDictionary(t => t, t => facts.Single(f => f.GetProperty("fact_type").GetString() == GovernanceFact.WireName(t)));
    }
}
