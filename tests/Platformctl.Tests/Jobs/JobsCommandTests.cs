using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Platformctl.Jobs;

namespace Platformctl.Tests.Jobs;

/// <summary><c>platformctl jobs</c> against a stand-in of the ofs/mf job endpoints: what goes on the wire, what is printed, exit codes.</summary>
public sealed partial class JobsCommandTests
{
    private const string ApiKey = "operator-key-never-printed";
    private const string RunId = "platform_20260105T000000Z";
    private const string BuildId = "ofsb_0123456789abcdef0123456789abcdef";
    private const string TrainId = "mft_0123456789abcdef0123456789abcdef";
    private const string Release = "0123456789abcdef0123456789abcdef01234567";
    private const string Fingerprint = "aa00000000000000000000000000000000000000000000000000000000000000";
    private static readonly string TrafficStart = "20260105T000000000000Z_" + new string('0', 32);
    private static readonly string TrafficEnd = "20260105T235959999999Z_" + new string('f', 32);

    [Fact]
    public async Task OfsBuildPostsThePinnedRequestWithTheOperatorKey()
    {
        await using var ofs = await StandInServer.StartAsync(_ => Answer.Json(202, new { job_id = BuildId, status = "PENDING" }));

        var run = await InvokeAsync([.. BuildArgs(ofs.BaseUrl), "--range", $"traffic={TrafficStart}..{TrafficEnd}", "--range", $"fp.bus.context.v1={TrafficStart}..{TrafficEnd}"]);

        Assert.Equal(JobExitCodes.Completed, run.ExitCode);
        var request = Assert.Single(ofs.Received);
        Assert.Equal(("POST", "/v1/jobs/ofs-builds", ApiKey), (request.Method, request.Path, request.ApiKey));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(RunId, root.GetProperty("platform_run_id").GetString());
        Assert.Equal(
            [("fp.bus.traffic.v1", "archive_key", TrafficStart, TrafficEnd), ("fp.bus.context.v1", "archive_key", TrafficStart, TrafficEnd)],
            root.GetProperty("replay_basis").EnumerateArray().Select(r => (Text(r, "stream"), Text(r, "offset_kind"), Text(r, "start_offset"), Text(r, "end_offset"))).ToList());
        var labels = root.GetProperty("label_basis");
        Assert.Equal("2026-01-10T00:00:00.000000Z", Text(labels, "label_asof_utc"));
        Assert.Equal("fraud_positive_else_mature_negative.v0", Text(labels, "resolution_rule"));
        Assert.Equal(14, labels.GetProperty("maturity_days").GetInt32());
        var featureSet = root.GetProperty("feature_definition_set");
        Assert.Equal(("card_features", "v1", "sha256:feedface"), (Text(featureSet, "feature_set_id"), Text(featureSet, "feature_set_version"), Text(featureSet, "definition_digest")));
        Assert.Equal(Release, Text(root, "ofs_code_release_id"));
        Assert.Contains($"job_id {BuildId}", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATimeWindowBecomesTheArchiveOffsetsThatBoundItOnBothArchivedStreams()
    {
        await using var ofs = await StandInServer.StartAsync(_ => Answer.Json(202, new { job_id = BuildId, status = "PENDING" }));

        var run = await InvokeAsync([.. BuildArgs(ofs.BaseUrl), "--window-start", "2026-01-05T00:00:00Z", "--window-end", "2026-01-05T23:59:59.999999Z"]);

        Assert.Equal(JobExitCodes.Completed, run.ExitCode);
        using var body = JsonDocument.Parse(Assert.Single(ofs.Received).Body);
        var ranges = body.RootElement.GetProperty("replay_basis").EnumerateArray().ToList();
        Assert.Equal(["fp.bus.traffic.v1", "fp.bus.context.v1"], ranges.Select(r => Text(r, "stream")));
        Assert.All(ranges, r => Assert.Equal((TrafficStart, TrafficEnd), (Text(r, "start_offset"), Text(r, "end_offset"))));
        Assert.All(ranges, r => Assert.Matches(ArchiveOffset(), Text(r, "start_offset")));
        // The converted offsets are printed, so the operator's log records what the window meant.
        Assert.Contains($"replay_basis fp.bus.traffic.v1 {TrafficStart}..{TrafficEnd}", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedBuildPrintsEveryProblemAndExitsTwo()
    {
        await using var ofs = await StandInServer.StartAsync(_ => Answer.Json(400, new
        {
            type = "https://errors.platform.local/ofs_build_request_refused",
            title = "The build request is not fully pinned.",
            status = 400,
            problems = new[]
            {
                new { member = "/label_basis/label_asof_utc", code = "MUTABLE_REF", message = "label_asof_utc must not be in the future." },
                new { member = "/feature_definition_set", code = "UNKNOWN_FEATURE_SET", message = "no feature set card_features/v1 in this release." },
            },
        }));

        var run = await InvokeAsync([.. BuildArgs(ofs.BaseUrl), "--range", $"traffic={TrafficStart}..{TrafficEnd}"]);

        Assert.Equal(JobExitCodes.BadInput, run.ExitCode);
        Assert.Contains("HTTP 400 The build request is not fully pinned.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("/label_basis/label_asof_utc: MUTABLE_REF label_asof_utc must not be in the future.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("/feature_definition_set: UNKNOWN_FEATURE_SET no feature set card_features/v1 in this release.", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("job_id", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingOrMalformedInputIsListedAndNothingIsSent()
    {
        await using var ofs = await StandInServer.StartAsync(_ => Answer.Json(202, new { job_id = BuildId, status = "PENDING" }));

        var run = await InvokeAsync(["jobs", "ofs", "build", "--ofs-url", ofs.BaseUrl.ToString(), "--api-key", ApiKey, "--label-asof", "yesterday", "--maturity-days", "x"]);

        Assert.Equal(JobExitCodes.BadInput, run.ExitCode);
        Assert.Empty(ofs.Received);
        foreach (var expected in new[] { "--run-id is required", "--label-asof must be an RFC 3339 UTC time", "--maturity-days must be a whole number", "--code-release-id is required", "--range" })
        {
            Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MfTrainPostsManifestRefsTheFullTrainingConfigAndTheScopeKey()
    {
        await using var mf = await StandInServer.StartAsync(_ => Answer.Json(202, new { job_id = TrainId, status = "PENDING" }));
        var manifest = "dm_" + Fingerprint[..32];

        var run = await InvokeAsync(
        [
            "jobs", "mf", "train", "--mf-url", mf.BaseUrl.ToString(), "--api-key", ApiKey, "--run-id", RunId,
            "--dataset-manifest", $"{manifest}:{Fingerprint}", "--scope", "local_parity|fraud|primary", "--bundle-version", "2026.01.05-1", "--seed", "7",
        ]);

        Assert.Equal(JobExitCodes.Completed, run.ExitCode);
        var request = Assert.Single(mf.Received);
        Assert.Equal(("POST", "/v1/jobs/mf-trains", ApiKey), (request.Method, request.Path, request.ApiKey));
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(("mf.train_request.v0", RunId, "2026.01.05-1"), (Text(root, "schema_version"), Text(root, "platform_run_id"), Text(root, "bundle_version")));
        var reference = Assert.Single(root.GetProperty("dataset_manifest_refs").EnumerateArray());
        Assert.Equal((manifest, Fingerprint), (Text(reference, "dataset_manifest_id"), Text(reference, "dataset_fingerprint")));
        var scope = root.GetProperty("target_scope_key");
        Assert.Equal(("local_parity", "fraud", "primary"), (Text(scope, "environment"), Text(scope, "mode"), Text(scope, "bundle_slot")));
        Assert.False(scope.TryGetProperty("tenant_id", out _), "no tenant: the optional part is left out");
        var config = root.GetProperty("training_config");
        Assert.Equal(7, config.GetProperty("seed").GetInt32());
        Assert.Equal(
            ["train_fraction", "seed", "number_of_trees", "number_of_leaves", "minimum_example_count_per_leaf", "learning_rate", "k", "calibration_bins", "decline_precision_target", "step_up_recall_target"],
            config.EnumerateObject().Select(p => p.Name));
        Assert.Contains($"job_id {TrainId}", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchFollowsAJobToCompletedWithPlainLinesWhenPiped()
    {
        await using var ofs = await StandInServer.StartAsync(Sequence(
            Job("PENDING", null),
            Job("RUNNING", ("read_archive", 1, 3)),
            Job("RUNNING", ("read_archive", 1, 3)),
            Job("RUNNING", ("write_parquet", 2, 3)),
            Job("COMPLETED", ("emit_completed", 3, 3), result: new { build_id = BuildId, manifest = new { dataset_manifest_id = "dm_1" } })));

        var run = await InvokeAsync(["jobs", "status", BuildId, "--watch", "--interval", "0.01", "--ofs-url", ofs.BaseUrl.ToString(), "--api-key", ApiKey]);

        Assert.Equal(JobExitCodes.Completed, run.ExitCode);
        Assert.All(ofs.Received, r => Assert.Equal(("GET", $"/v1/jobs/{BuildId}", ApiKey), (r.Method, r.Path, r.ApiKey)));
        Assert.Equal(5, ofs.Received.Count);
        // One line per change (the repeated RUNNING 1/3 is not printed twice), no escape codes, then the result.
        Assert.Equal(
            [$"{BuildId} PENDING", $"{BuildId} RUNNING read_archive 1/3", $"{BuildId} RUNNING write_parquet 2/3", $"{BuildId} COMPLETED", $"  build_id: {BuildId}", """  manifest: {"dataset_manifest_id":"dm_1"}"""],
            Lines(run.Stdout));
        Assert.DoesNotContain('\u001b', run.Stdout);
    }

    [Fact]
    public async Task WatchEndsWithExitOneWhenTheJobFails()
    {
        await using var mf = await StandInServer.StartAsync(Sequence(
            Job("RUNNING", ("train", 1, 4), id: TrainId),
            Job("FAILED", ("train", 1, 4), id: TrainId, failure: "training data is empty")));

        var run = await InvokeAsync(["jobs", "status", TrainId, "--watch", "--interval", "0.01", "--mf-url", mf.BaseUrl.ToString(), "--api-key", ApiKey]);

        Assert.Equal(JobExitCodes.Failed, run.ExitCode);
        Assert.Contains($"{TrainId} FAILED", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("failure: training data is empty", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceRestartMidWatchIsRiddenOut()
    {
        await using var ofs = await StandInServer.StartAsync(Sequence(
            Job("RUNNING", ("read_archive", 1, 2)),
            Answer.Problem(503, "Service Unavailable"),
            Answer.Problem(503, "Service Unavailable"),
            Job("COMPLETED", null)));

        var run = await InvokeAsync(["jobs", "status", BuildId, "--watch", "--interval", "0.01", "--ofs-url", ofs.BaseUrl.ToString(), "--api-key", ApiKey]);

        Assert.Equal(JobExitCodes.Completed, run.ExitCode);
        Assert.Equal(4, ofs.Received.Count);
    }

    [Fact]
    public async Task BuildWithWatchSubmitsThenFollowsTheAnsweredJob()
    {
        await using var ofs = await StandInServer.StartAsync(request => request.Method == "POST"
            ? Answer.Json(202, new { job_id = BuildId, status = "PENDING" })
            : Job("COMPLETED", null));

        var run = await InvokeAsync([.. BuildArgs(ofs.BaseUrl), "--range", $"traffic={TrafficStart}..{TrafficEnd}", "--watch", "--interval", "0.01"]);

        Assert.Equal(JobExitCodes.Completed, run.ExitCode);
        Assert.Equal(["POST /v1/jobs/ofs-builds", $"GET /v1/jobs/{BuildId}"], ofs.Received.Select(r => $"{r.Method} {r.Path}"));
        Assert.EndsWith($"{BuildId} COMPLETED", run.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJobExitsTwoAndAnUnknownIdPrefixIsNotSent()
    {
        await using var ofs = await StandInServer.StartAsync(_ => Answer.Problem(404, "Not Found"));

        var missing = await InvokeAsync(["jobs", "status", BuildId, "--ofs-url", ofs.BaseUrl.ToString(), "--api-key", ApiKey]);
        var foreign = await InvokeAsync(["jobs", "status", "job_42", "--ofs-url", ofs.BaseUrl.ToString(), "--api-key", ApiKey]);

        Assert.Equal(JobExitCodes.BadInput, missing.ExitCode);
        Assert.Contains("HTTP 404 Not Found", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(JobExitCodes.BadInput, foreign.ExitCode);
        Assert.Contains("job_id must start with", foreign.Stderr, StringComparison.Ordinal);
        Assert.Single(ofs.Received);
    }

    [Fact]
    public async Task AnUnreachableServiceExitsThree()
    {
        var closed = ClosedPortUrl();

        var run = await InvokeAsync(["jobs", "status", BuildId, "--watch", "--interval", "0.01", "--ofs-url", closed.ToString(), "--api-key", ApiKey]);

        Assert.Equal(JobExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("connection failed", run.Stderr, StringComparison.Ordinal);
    }

    private static string[] BuildArgs(Uri url) =>
    [
        "jobs", "ofs", "build", "--ofs-url", url.ToString(), "--api-key", ApiKey, "--run-id", RunId, "--label-asof", "2026-01-10T00:00:00Z",
        "--maturity-days", "14", "--feature-set-id", "card_features", "--feature-set-version", "v1", "--definition-digest", "sha256:feedface",
        "--code-release-id", Release,
    ];

    private static Answer Job(string status, (string Stage, int Done, int Total)? progress, string id = BuildId, string? failure = null, object? result = null) =>
        Answer.Json(200, new
        {
            job_id = id,
            status,
            progress = progress is { } p ? new { stage = p.Stage, steps_done = p.Done, steps_total = p.Total } : null,
            result,
            failure,
        });

    /// <summary>Answers the n-th request with the n-th answer, and every later one with the last.</summary>
    private static Func<ReceivedRequest, Answer> Sequence(params Answer[] answers) =>
        request => answers[Math.Min(request.Call, answers.Length) - 1];

    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    private static Uri ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(string[] args) =>
        CliRun.InvokeAsync(JobsCommand.Create(), args);

    [GeneratedRegex("^[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ArchiveOffset();
}
