using System.Net;
using System.Text;
using System.Text.Json;
using FeatureStore.Domain;
using FeatureStore.Tests.Workflows;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Testing;
using static FeatureStore.Tests.Service.StreamRecords;

namespace FeatureStore.Tests.Service;

/// <summary>The OFS job endpoints: fail closed before any work, OFS_BUILD_REQUESTED then one job per request digest.</summary>
[Collection(OfsServiceCollectionDefinition.Name)]
public sealed class JobsApiTests(OfsServiceFixture fixture)
{
    private static readonly Uri Builds = new("/v1/jobs/ofs-builds", UriKind.Relative);

    private static OfsBuildRequest Request(string run) =>
        OfsBuildWorkflowTests.Request(run) with { LabelBasis = OfsBuildWorkflowTests.Request(run).LabelBasis with { LabelAsofUtc = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) } };

    [Fact]
    public async Task A_pinned_request_records_OFS_BUILD_REQUESTED_starts_one_job_and_a_repeat_answers_the_same_job()
    {
        var run = FreshRunId();
        var request = Request(run);
        var client = fixture.Ofs.Client(TestSecrets.OperatorKey);

        using var first = await PostAsync(client, JsonSerializer.SerializeToUtf8Bytes(request, PlatformJson.Options));
        var body = await JsonAsync(first);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(request.BuildId(), body.GetProperty("job_id").GetString());
        Assert.Equal($"/v1/jobs/{request.BuildId()}", first.Headers.Location?.ToString());
        Assert.Equal(request.BuildId(), fixture.Jobs.Started[request.BuildId()].BuildId());

        var factKey = GovernanceFactEmitter.ObjectKey(run, GovernanceFact.ComputeFactId(GovernanceFactType.OfsBuildRequested, run, "ofs", request.BuildId()));
        var fact = (await ObjectAsync(factKey))!.Value;
        Assert.Empty(SchemaContract.Errors("governance_fact.v0.schema.json", fact));
        Assert.Equal("OFS_BUILD_REQUESTED", fact.GetProperty("fact_type").GetString());
        Assert.Equal("HUMAN::ofs-tests-operator", fact.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal(request.BuildId(), fact.GetProperty("details").GetProperty("build_id").GetString());

        using var again = await PostAsync(client, JsonSerializer.SerializeToUtf8Bytes(Request(run), PlatformJson.Options));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(request.BuildId(), (await JsonAsync(again)).GetProperty("job_id").GetString());

        using var status = await client.GetAsync(new Uri($"/v1/jobs/{request.BuildId()}", UriKind.Relative));
        Assert.Equal("RUNNING", (await JsonAsync(status)).GetProperty("status").GetString());
        using var unknown = await client.GetAsync(new Uri("/v1/jobs/ofsb_" + new string('0', 32), UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Requests_that_are_not_fully_pinned_are_refused_before_any_fact_or_job()
    {
        var run = FreshRunId();
        var client = fixture.Ofs.Client(TestSecrets.OperatorKey);
        var latest = JsonSerializer.SerializeToNode(Request(run), PlatformJson.Options)!.AsObject();
        latest["ofs_code_release_id"] = "latest";
        var noLabels = JsonSerializer.SerializeToNode(Request(run), PlatformJson.Options)!.AsObject();
        noLabels.Remove("label_basis");

        foreach (var (bytes, member) in new[]
        {
            (Encoding.UTF8.GetBytes(latest.ToJsonString()), "/ofs_code_release_id"),
            (Encoding.UTF8.GetBytes(noLabels.ToJsonString()), "/label_basis"),
        })
        {
            using var response = await PostAsync(client, bytes);
            var problem = await JsonAsync(response);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.EndsWith("/ofs_build_request_refused", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("member").GetString() == member);
        }

        using var malformed = await PostAsync(client, "{\"platform_run_id\":"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Empty(await KeysAsync($"{run}/"));
        Assert.DoesNotContain(fixture.Jobs.Started.Values, r => r.PlatformRunId == run);
    }

    [Fact]
    public async Task Only_operators_may_request_or_read_jobs()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Request(FreshRunId()), PlatformJson.Options);
        var anonymous = fixture.Ofs.Client(apiKey: null);
        var producer = fixture.Ofs.Client(TestSecrets.ProducerKey);

        using var noKey = await PostAsync(anonymous, bytes);
        using var notOperator = await PostAsync(producer, bytes);
        using var read = await producer.GetAsync(new Uri("/v1/jobs/ofsb_" + new string('0', 32), UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notOperator.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return await client.PostAsync(Builds, content);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
}
