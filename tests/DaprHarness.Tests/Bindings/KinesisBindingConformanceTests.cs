using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Http;
using Platform.Testing;

namespace DaprHarness.Tests.Bindings;

/// <summary>
/// bindings.aws.kinesis v1 end to end: the real DaprClient publishes through an output binding in one harness and a
/// real ASP.NET Core app receives the records from an input binding in another. Pins
/// components-contrib@release-1.17 bindings/aws/kinesis/kinesis.go (Invoke: partitionKey or a random UUID, no
/// response; ProcessRecords: deliver each record, then checkpoint the batch whatever the app answered; KCL starts a
/// new consumer at LATEST) and dapr/dapr@release-1.17 pkg/runtime/processor/binding/send.go (POST of the raw bytes
/// as application/json to /&lt;binding&gt; or the route, inbound Resiliency around each delivery, OPTIONS probe when
/// no direction is set). Every test uses its own stream and consumer names.
/// </summary>
public sealed class KinesisBindingConformanceTests : IAsyncLifetime, IDisposable
{
    private const string Producer = "eb-traffic-out";
    private const string Consumer = "eb-traffic-in-ofs";
    private const string ConsumerPath = "/" + Consumer;

    private static readonly JsonSerializerOptions DaprJson = new(JsonSerializerDefaults.Web);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TempFiles _files = new();
    private readonly string _stream = BindingResources.UniqueStream("traffic");
    private readonly string _consumerName = $"ofs-traffic-{Guid.NewGuid():N}";
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await Own(TestApp.StartAsync());

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Records_arrive_in_order_per_partition_key_with_the_envelope_bytes_intact()
    {
        var dir = TrafficComponents();
        await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        var sent = new Dictionary<string, List<string>>();
        for (var i = 0; i < 30; i++)
        {
            var partitionKey = $"merchant-{i % 3}";
            var envelope = new TrafficEnvelope($"evt-{i}", partitionKey, i, "caf\u00e9 <&> \"quoted\"");
            await producer.Client.InvokeBindingAsync(Producer, "create", envelope, new Dictionary<string, string> { ["partitionKey"] = partitionKey });
            (sent.TryGetValue(partitionKey, out var list) ? list : sent[partitionKey] = []).Add(Convert.ToHexString(JsonSerializer.SerializeToUtf8Bytes(envelope, DaprJson)));
        }

        await _app.WaitUntilAsync(a => a.Posts(ConsumerPath).Count >= 30, "30 records");

        var received = _app.Posts(ConsumerPath);
        Assert.Equal(30, received.Count);
        Assert.All(received, r => Assert.Equal("application/json", r.ContentType));
        foreach (var (partitionKey, bodies) in sent)
        {
            var arrived = received.Where(r => PartitionKeyOf(r) == partitionKey).Select(r => Convert.ToHexString(r.Body));
            Assert.Equal(bodies, arrived);
        }
    }

    [Fact]
    public async Task Every_consumer_name_receives_every_record_independently()
    {
        const string other = "eb-traffic-in-rtdl";
        var dir = TrafficComponents(("eb-traffic-in-rtdl.yaml", BindingResources.KinesisComponent(other, _stream, "input", _consumerName + "-rtdl", ["ofs"])));
        await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        var records = Enumerable.Range(0, 10).Select(i => $"r{i}").ToArray();

        await PublishAsync(producer, "one-key", records);

        await _app.WaitUntilAsync(a => a.Posts(ConsumerPath).Count >= 10 && a.Posts("/" + other).Count >= 10, "both consumers");
        var expected = records.Select(r => $"\"{r}\"").ToList();
        Assert.Equal(expected, _app.Bodies(ConsumerPath));
        Assert.Equal(expected, _app.Bodies("/" + other));
    }

    [Fact]
    public async Task Create_answers_no_data_and_no_metadata_with_or_without_a_partition_key()
    {
        var dir = TrafficComponents();
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));

        var keyed = new BindingRequest(Producer, "create") { Data = Encoding.UTF8.GetBytes("{\"n\":1}") };
        keyed.Metadata["partitionKey"] = "k";
        var withKey = await producer.Client.InvokeBindingAsync(keyed);
        var withoutKey = await producer.Client.InvokeBindingAsync(new BindingRequest(Producer, "create") { Data = Encoding.UTF8.GetBytes("{\"n\":2}") });

        Assert.True(withKey.Data.IsEmpty);
        Assert.Empty(withKey.Metadata);
        Assert.True(withoutKey.Data.IsEmpty);
        Assert.Empty(withoutKey.Metadata);
    }

    [Fact]
    public async Task A_record_the_app_rejects_is_checkpointed_without_a_retry_policy_and_later_records_still_arrive()
    {
        var dir = TrafficComponents();
        var consumer = await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        _app.RespondWithStatus(r => r.Text == "\"r3\"" ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK);

        await PublishAsync(producer, "one-key", "r1", "r2", "r3", "r4", "r5", "r6");
        await _app.WaitUntilAsync(a => a.Bodies(ConsumerPath).Contains("\"r6\""), "r6");
        Assert.Equal(["\"r1\"", "\"r2\"", "\"r3\"", "\"r4\"", "\"r5\"", "\"r6\""], _app.Bodies(ConsumerPath));

        // Nothing is redelivered after a restart either: the failed record was checkpointed with its batch.
        await consumer.RestartAsync();
        await PublishAsync(producer, "one-key", "sentinel");
        await _app.WaitUntilAsync(a => a.Bodies(ConsumerPath).Contains("\"sentinel\""), "the sentinel");
        Assert.Equal(["\"r1\"", "\"r2\"", "\"r3\"", "\"r4\"", "\"r5\"", "\"r6\"", "\"sentinel\""], _app.Bodies(ConsumerPath));
    }

    [Fact]
    public async Task An_inbound_retry_policy_redelivers_until_the_app_accepts_then_the_record_is_checkpointed()
    {
        var dir = TrafficComponents(("resiliency.yaml", BindingResources.InboundRetry(Consumer, maxRetries: 5)));
        var consumer = await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        var failures = 0;
        _app.RespondWithStatus(r => r.Text == "\"flaky\"" && Interlocked.Increment(ref failures) <= 2
            ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status200OK);

        await PublishAsync(producer, "one-key", "flaky", "next");
        await _app.WaitUntilAsync(a => a.Bodies(ConsumerPath).Contains("\"next\""), "the record after the flaky one");
        Assert.Equal(["\"flaky\"", "\"flaky\"", "\"flaky\"", "\"next\""], _app.Bodies(ConsumerPath));

        await consumer.RestartAsync();
        await PublishAsync(producer, "one-key", "sentinel");
        await _app.WaitUntilAsync(a => a.Bodies(ConsumerPath).Contains("\"sentinel\""), "the sentinel");
        Assert.Equal(["\"flaky\"", "\"flaky\"", "\"flaky\"", "\"next\"", "\"sentinel\""], _app.Bodies(ConsumerPath));
    }

    [Fact]
    public async Task A_new_consumer_starts_at_latest_and_never_sees_earlier_records()
    {
        var dir = TrafficComponents();
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        await PublishAsync(producer, "one-key", "before-the-consumer-existed");

        await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        await PublishAsync(producer, "one-key", "after");

        // Same partition key, same shard: had the earlier record been delivered it would have come first.
        await _app.WaitUntilAsync(a => a.Bodies(ConsumerPath).Contains("\"after\""), "the record published after start");
        Assert.Equal(["\"after\""], _app.Bodies(ConsumerPath));
    }

    [Fact]
    public async Task A_restart_loses_no_records_and_redelivers_none_that_were_checkpointed()
    {
        var dir = TrafficComponents();
        var consumer = await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        string[] keys = ["k-1", "k-2", "k-3", "k-4"];
        foreach (var key in keys)
        {
            await PublishAsync(producer, key, $"a-{key}");
        }

        await _app.WaitUntilAsync(a => a.Posts(ConsumerPath).Count >= keys.Length, "the first records");

        await consumer.StopAsync();
        foreach (var key in keys)
        {
            await PublishAsync(producer, key, $"b1-{key}", $"b2-{key}");
        }

        await consumer.StartAsync();
        await _app.WaitUntilAsync(a => a.Posts(ConsumerPath).Count >= keys.Length * 3, "the records published while the consumer was down");

        var bodies = _app.Bodies(ConsumerPath);
        Assert.Equal(keys.Length * 3, bodies.Count);
        foreach (var key in keys)
        {
            Assert.Equal([$"\"a-{key}\"", $"\"b1-{key}\"", $"\"b2-{key}\""], bodies.Where(b => b.EndsWith($"-{key}\"", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Two_harnesses_with_one_consumer_name_share_the_shards_and_the_survivor_takes_over()
    {
        var dir = TrafficComponents();
        var second = await Own(TestApp.StartAsync());
        var first = await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        // Once the first harness delivers, it holds the leases; only then does the second one start.
        await PublishAsync(producer, "warm-up", "warm-up");
        await _app.WaitUntilAsync(a => a.Bodies(ConsumerPath).Contains("\"warm-up\""), "the first harness to read");
        await Own(HarnessInstance.StartAsync("ofs", dir, second.Port, configPath: null));
        var early = Enumerable.Range(0, 10).Select(i => $"early-{i}").ToList();
        foreach (var record in early)
        {
            await PublishAsync(producer, record, record);
        }

        await WaitForUnionAsync(second, early);
        AssertEachOnceAcross(second, ["warm-up", .. early]);

        // A harness that stops releases its leases; the other one continues from the checkpoints.
        await first.StopAsync();
        var firstSaw = _app.Bodies(ConsumerPath).Count;
        var late = Enumerable.Range(0, 10).Select(i => $"late-{i}").ToList();
        foreach (var record in late)
        {
            await PublishAsync(producer, record, record);
        }

        await second.WaitUntilAsync(a => late.All(r => a.Bodies(ConsumerPath).Contains($"\"{r}\"")), "the survivor to take over every shard");
        Assert.Equal(firstSaw, _app.Bodies(ConsumerPath).Count);
        AssertEachOnceAcross(second, ["warm-up", .. early, .. late]);
    }

    [Fact]
    public async Task Without_a_direction_only_bindings_whose_options_probe_succeeds_are_read()
    {
        const string refused = "eb-probe-in-refused";
        const string accepted = "eb-probe-in-accepted";
        const string acceptedRoute = "/custom/route";
        var dir = _files.Resources(
            ("out.yaml", BindingResources.KinesisComponent(Producer, _stream, "output", null, ["ig"])),
            ("refused.yaml", BindingResources.KinesisComponent(refused, _stream, null, _consumerName + "-a", ["ofs"])),
            ("accepted.yaml", BindingResources.KinesisComponent(accepted, _stream, null, _consumerName + "-b", ["ofs"], ("route", acceptedRoute))));
        _app.RespondWithStatus(r => (r.Method, r.Path) switch
        {
            ("OPTIONS", "/" + refused) => StatusCodes.Status404NotFound,
            ("OPTIONS", acceptedRoute) => StatusCodes.Status405MethodNotAllowed,
            _ => StatusCodes.Status200OK,
        });
        await Own(HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));
        var producer = await Own(HarnessInstance.StartAsync("ig", dir, configPath: null));
        await _app.WaitUntilAsync(a => a.Requests.Count(r => r.Method == "OPTIONS") >= 2, "both OPTIONS probes");
        Assert.All(_app.Requests.Where(r => r.Method == "OPTIONS"), r => Assert.Equal("application/json", r.ContentType));

        // The probed consumer registers at LATEST once the probe succeeds, so publish until it reads.
        var warmUps = 0;
        await Poll.UntilAsync(async () =>
        {
            if (_app.Posts(acceptedRoute).Count > 0)
            {
                return true;
            }

            await PublishAsync(producer, "one-key", $"warm-up-{warmUps++}");
            return false;
        }, "the probed consumer to read", TimeSpan.FromSeconds(30));

        await PublishAsync(producer, "one-key", "last");
        await _app.WaitUntilAsync(a => a.Bodies(acceptedRoute).Contains("\"last\""), "the last record on the accepted route");
        Assert.Empty(_app.Posts("/" + refused));
    }

    [Fact]
    public async Task Extended_fan_out_mode_stops_the_harness()
    {
        var dir = _files.Resources(("in.yaml", BindingResources.KinesisComponent(Consumer, _stream, "input", _consumerName, ["ofs"], ("mode", "extended"))));

        var error = await Assert.ThrowsAsync<HarnessStartupException>(() => HarnessInstance.StartAsync("ofs", dir, _app.Port, configPath: null));

        Assert.Contains("not supported by the harness", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.metadata(mode)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_name_already_used_for_another_stream_stops_the_harness()
    {
        await Own(HarnessInstance.StartAsync("ofs", TrafficComponents(), _app.Port, configPath: null));
        var otherStream = _files.Resources(("in.yaml",
            BindingResources.KinesisComponent(Consumer, BindingResources.UniqueStream("other"), "input", _consumerName, ["ofs"])));

        var error = await Assert.ThrowsAsync<HarnessStartupException>(() => HarnessInstance.StartAsync("ofs", otherStream, _app.Port, configPath: null));

        Assert.Contains("spec.metadata(consumerName)", error.Message, StringComparison.Ordinal);
        Assert.Contains(_stream, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_only_binding_is_not_an_output_binding()
    {
        var harness = await Own(HarnessInstance.StartAsync("ofs", TrafficComponents(), _app.Port, configPath: null));

        var error = await Assert.ThrowsAsync<DaprException>(() =>
            harness.Client.InvokeBindingAsync(new BindingRequest(Consumer, "create") { Data = Encoding.UTF8.GetBytes("{}") }));

        S3BindingConformanceTests.AssertBindingError(error, $"error invoking output binding {Consumer}: couldn't find output binding {Consumer}");
    }

    private sealed record TrafficEnvelope(string EventId, string PartitionKey, int Sequence, string Note);

    private static string? PartitionKeyOf(AppRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        return body.RootElement.GetProperty("partitionKey").GetString();
    }

    /// <summary>local_parity's producer (app ig) and one consumer (app ofs) on this test's stream.</summary>
    private string TrafficComponents(params (string File, string Yaml)[] more) => _files.Resources(
        [
            ("eb-traffic-out.yaml", BindingResources.KinesisComponent(Producer, _stream, "output", null, ["ig"])),
            ("eb-traffic-in-ofs.yaml", BindingResources.KinesisComponent(Consumer, _stream, "input", _consumerName, ["ofs"])),
            .. more,
        ]);

    private static async Task PublishAsync(HarnessInstance producer, string partitionKey, params string[] payloads)
    {
        foreach (var payload in payloads)
        {
            await producer.Client.InvokeBindingAsync(Producer, "create", payload, new Dictionary<string, string> { ["partitionKey"] = partitionKey });
        }
    }

    private async Task WaitForUnionAsync(TestApp second, IReadOnlyList<string> records)
    {
        await _app.WaitUntilAsync(
            a => records.All(r => a.Bodies(ConsumerPath).Contains($"\"{r}\"") || second.Bodies(ConsumerPath).Contains($"\"{r}\"")),
            "every record at one of the two apps");
    }

    private void AssertEachOnceAcross(TestApp second, IReadOnlyList<string> records)
    {
        var all = _app.Bodies(ConsumerPath).Concat(second.Bodies(ConsumerPath)).ToList();
        Assert.Equal(records.Select(r => $"\"{r}\"").Order(), all.Order());
    }

    private async Task<T> Own<T>(Task<T> starting) where T : IAsyncDisposable
    {
        var item = await starting;
        _owned.Add(item);
        return item;
    }
}
