using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelFactory.Activities;
using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using ModelFactory.Tests.Domain;
using ModelFactory.Tests.Infrastructure;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace ModelFactory.Tests.Service;

/// <summary>
/// The train job end to end: <c>POST /v1/jobs/mf-trains</c> on MF as composed by its Build, MfTrainWorkflow on the
/// real Dapr.Workflow SDK and the harness's workflow engine, datasets, reports, models and bundles in the local
/// S3-compatible store, facts in the governance log.
/// </summary>
[Collection(MfServiceCollectionDefinition.Name)]
public sealed class TrainJobEndToEndTests(MfServiceFixture fixture)
{
    [Fact]
    public async Task A_pinned_request_trains_gates_and_publishes_a_bundle_and_a_repeated_request_is_the_same_job()
    {
        var run = FreshRunId();
        var request = await StageAsync(run, Synthetic.Rows(3_000, seed: 17));
        var client = fixture.Client(MfServiceFixture.OperatorKey);

        using var accepted = await client.PostAsJsonAsync("/v1/jobs/mf-trains", request, PlatformJson.Options);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal($"/v1/jobs/{request.JobId()}", accepted.Headers.Location?.OriginalString);

        var job = await WaitForJobAsync(client, request.JobId());
        Assert.True(job.GetProperty("status").GetString() == "COMPLETED", job.ToString());
        var result = job.GetProperty("result");
        Assert.Equal("PASS", result.GetProperty("outcome").GetString());
        var bundleId = result.GetProperty("bundle").GetProperty("bundle_id").GetString()!;
        var bundle = await fixture.Objects.GetAsync(MfKeys.Bundle(run, bundleId), CancellationToken.None);
        Assert.Equal(bundleId, Digests.Sha256Hex(bundle));
        Assert.Empty(SchemaContract.Errors("mf/eval_report.v0.schema.json", (await ObjectAsync(result.GetProperty("eval_report").GetProperty("object_key").GetString()!))!.Value));

        foreach (var (type, dedupe) in new[] { (GovernanceFactType.MfTrainRequested, request.JobId()), (GovernanceFactType.MfTrainCompleted, request.JobId()), (GovernanceFactType.BundlePublished, bundleId) })
        {
            var fact = await ObjectAsync(GovernanceFactEmitter.ObjectKey(run, GovernanceFact.ComputeFactId(type, run, "mf", dedupe)));
            Assert.True(fact is not null, $"{type} was not recorded");
            Assert.Empty(SchemaContract.Errors("governance_fact.v0.schema.json", fact.Value));
        }

        using var again = await client.PostAsJsonAsync("/v1/jobs/mf-trains", request, PlatformJson.Options);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var repeated = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(request.JobId(), repeated.GetProperty("job_id").GetString());
        Assert.Equal(bundleId, repeated.GetProperty("result").GetProperty("bundle").GetProperty("bundle_id").GetString());
    }

    [Fact]
    public async Task A_job_survives_a_sidecar_restart_while_it_trains_and_completes_once()
    {
        var run = FreshRunId();
        var request = await StageAsync(run, Synthetic.Rows(2_000, seed: 23));
        var client = fixture.Client(MfServiceFixture.OperatorKey);
        fixture.Objects.Arm();
        try
        {
            using var accepted = await client.PostAsJsonAsync("/v1/jobs/mf-trains", request, PlatformJson.Options);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            await fixture.Objects.Entered.WaitAsync(TimeSpan.FromSeconds(60));

            // The training activity is in flight (held on its dataset read): a new harness on the same database takes over.
            await fixture.Sidecar.RestartAsync();

            var job = await WaitForJobAsync(client, request.JobId());
            Assert.True(job.GetProperty("status").GetString() == "COMPLETED", job.ToString());
            var bundleId = job.GetProperty("result").GetProperty("bundle").GetProperty("bundle_id").GetString()!;
            Assert.Equal(bundleId, Digests.Sha256Hex(await fixture.Objects.GetAsync(MfKeys.Bundle(run, bundleId), CancellationToken.None)));
            Assert.Equal([MfKeys.Bundle(run, bundleId)], await fixture.Objects.ListKeysAsync($"{run}/mf/bundles/", CancellationToken.None));
        }
        finally
        {
            fixture.Objects.Release();
        }
    }

    [Fact]
    public async Task A_stored_manifest_that_no_longer_hashes_to_the_named_ref_is_refused_before_any_work()
    {
        var run = FreshRunId();
        var (json, reference) = ManifestVerificationTests.Manifest([new DatasetObject($"{run}/ofs/datasets/x/part-00000.parquet", new string('d', 64))], run: run);
        var tampered = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        tampered["row_counts"]!["positives"] = 999;
        await fixture.Objects.CreateIfAbsentAsync(
            ManifestVerifier.ManifestKey(run, reference.DatasetManifestId), System.Text.Encoding.UTF8.GetBytes(tampered.ToJsonString()), "application/json", CancellationToken.None);
        var request = MfTrainRequestTests.Valid() with { PlatformRunId = run, DatasetManifestRefs = [reference] };
        var missing = Digests.Sha256Hex("never built"u8);
        var absent = request with { DatasetManifestRefs = [new DatasetManifestRef("dm_" + Digests.Hex32(missing), missing)] };
        var client = fixture.Client(MfServiceFixture.OperatorKey);

        foreach (var (refused, reason) in new[] { (request, "does not hash to its fingerprint"), (absent, "does not exist") })
        {
            using var response = await client.PostAsJsonAsync("/v1/jobs/mf-trains", refused, PlatformJson.Options);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/v1/jobs/{refused.JobId()}", UriKind.Relative))).StatusCode);
            Assert.Null(await ObjectAsync(GovernanceFactEmitter.ObjectKey(run, GovernanceFact.ComputeFactId(GovernanceFactType.MfTrainRequested, run, "mf", refused.JobId()))));
        }
    }

    [Fact]
    public async Task Mutable_refs_are_refused_before_any_work_and_only_operators_may_ask()
    {
        var run = FreshRunId();
        var request = MfTrainRequestTests.Valid() with { PlatformRunId = run, DatasetManifestRefs = [new("latest", "latest")] };
        var operatorClient = fixture.Client(MfServiceFixture.OperatorKey);

        using var refused = await operatorClient.PostAsJsonAsync("/v1/jobs/mf-trains", request, PlatformJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("code").GetString() == MfTrainRequestValidator.MutableRef);
        Assert.Null(await ObjectAsync(GovernanceFactEmitter.ObjectKey(run, GovernanceFact.ComputeFactId(GovernanceFactType.MfTrainRequested, run, "mf", request.JobId()))));

        var anonymous = fixture.Client(null);
        var producer = fixture.Client(MfServiceFixture.ProducerKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/v1/jobs/mf-trains", MfTrainRequestTests.Valid(), PlatformJson.Options)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await producer.PostAsJsonAsync("/v1/jobs/mf-trains", MfTrainRequestTests.Valid(), PlatformJson.Options)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.GetAsync(new Uri("/v1/jobs/mft_" + new string('0', 32), UriKind.Relative))).StatusCode);
    }

    private static string FreshRunId() =>
        PlatformRunId.Mint(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.NextInt64(0, 98L * 365 * 24 * 3600)));

    /// <summary>Writes the rows as an OFS dataset and its manifest under <paramref name="run"/>; returns a request naming them.</summary>
    private async Task<MfTrainRequest> StageAsync(string run, IReadOnlyList<TrainingRow> rows)
    {
        var parquet = await OfsLayoutParquet.WriteAsync(FraudCore.V1, rows);
        var objectRef = $"{run}/ofs/datasets/ofsb_{Guid.NewGuid():N}/part-00000.parquet";
        await fixture.Objects.CreateIfAbsentAsync(objectRef, parquet, "application/vnd.apache.parquet", CancellationToken.None);
        var (json, reference) = ManifestVerificationTests.Manifest([new DatasetObject(objectRef, Digests.Sha256Hex(parquet))], run: run);
        await fixture.Objects.CreateIfAbsentAsync(ManifestVerifier.ManifestKey(run, reference.DatasetManifestId), json, "application/json", CancellationToken.None);
        return MfTrainRequestTests.Valid() with
        {
            PlatformRunId = run,
            DatasetManifestRefs = [reference],
            TrainingConfig = TrainingConfig.Default with { K = 20 },
        };
    }

    private async Task<JsonElement?> ObjectAsync(string key) =>
        await fixture.Objects.GetAsync(key, CancellationToken.None) is { } bytes ? JsonDocument.Parse(bytes).RootElement.Clone() : null;

    private static async Task<JsonElement> WaitForJobAsync(HttpClient client, string jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>(new Uri($"/v1/jobs/{jobId}", UriKind.Relative));
            if (job.GetProperty("status").GetString() is "COMPLETED" or "FAILED" or "TERMINATED")
            {
                return job;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"job {jobId} did not finish in 120 s: {job}");
            }

            await Task.Delay(200);
        }
    }
}
