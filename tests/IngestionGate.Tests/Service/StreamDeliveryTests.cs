using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Substrate.Pinning;
using Platform.Testing;
using static IngestionGate.Tests.Service.Submissions;

namespace IngestionGate.Tests.Service;

/// <summary>
/// What a consumer of the traffic stream receives: the envelopes IG admitted, byte for byte in canonical form, in
/// admission order per partition key. The consumer is a small app behind its own <c>rtdl</c> sidecar reading
/// <c>eb-traffic-in-rtdl</c> (started before anything is published: a new consumer starts at LATEST).
/// </summary>
[Collection(IgServiceCollectionDefinition.Name)]
public sealed class StreamDeliveryTests(IgServiceFixture fixture)
{
    [Fact]
    public async Task Consumers_receive_each_admitted_envelope_intact_in_partition_key_order()
    {
        await using var consumer = await TrafficConsumer.StartAsync();
        var run = FreshRunId();
        var flows = new[] { Unique("flow-a"), Unique("flow-b"), Unique("flow-c") };
        var sent = new List<JsonObject>();
        JsonObject Next(string flow)
        {
            var envelope = Transaction(run, Unique("evt"), flow);
            sent.Add(envelope);
            return envelope;
        }

        // A batch interleaving the flows, then single submissions one after another.
        var batch = Enumerable.Range(0, 3).SelectMany(_ => flows.Select(Next)).ToList();
        var producer = fixture.Ig.Client("traffic");
        var answer = await producer.PostBatchAsync(batch);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.All(answer.Results, r => Assert.Equal("ADMIT", r.GetProperty("decision").GetString()));
        foreach (var flow in flows)
        {
            Assert.Equal("ADMIT", (await producer.PostEventAsync(Next(flow))).Decision);
        }

        var ours = sent.Select(e => e["event_id"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var delivered = await consumer.WaitForAsync(records => records.Count(r => ours.Contains(EventId(r))) >= ours.Count);

        var received = delivered.Where(r => ours.Contains(EventId(r))).ToList();
        Assert.Equal(ours.Count, received.Count);
        foreach (var flow in flows)
        {
            var expected = sent.Where(e => e["payload"]!["flow_id"]!.GetValue<string>() == flow).Select(e => CanonicalJson.Serialize(e.Element())).ToList();
            var got = received.Where(r => JsonSerializer.Deserialize<JsonElement>(r).GetProperty("payload").GetProperty("flow_id").GetString() == flow).ToList();
            Assert.Equal(expected, got);
        }
    }

    private static string EventId(byte[] record) =>
        JsonSerializer.Deserialize<JsonElement>(record).TryGetProperty("event_id", out var id) ? id.GetString() ?? string.Empty : string.Empty;

    /// <summary>An app consuming <c>eb-traffic-in-rtdl</c> under a consumer name of its own (an independent subscription).</summary>
    private sealed class TrafficConsumer : IAsyncDisposable
    {
        private const string Route = "/eb-traffic-in-rtdl";

        private readonly ConcurrentQueue<byte[]> _records = new();
        private WebApplication? _app;
        private HarnessInstance? _sidecar;
        private DirectoryInfo? _resources;

        public static async Task<TrafficConsumer> StartAsync()
        {
            var consumer = new TrafficConsumer();
            try
            {
                await consumer.StartCoreAsync();
            }
            catch
            {
                await consumer.DisposeAsync();
                throw;
            }

            return consumer;
        }

        public async Task<IReadOnlyList<byte[]>> WaitForAsync(Func<IReadOnlyList<byte[]>, bool> condition, int seconds = 30)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            while (!condition([.. _records]))
            {
                if (timeout.IsCancellationRequested)
                {
                    Assert.Fail($"timed out after {seconds}s; the consumer received {_records.Count} records");
                }

                await Task.Delay(50);
            }

            return [.. _records];
        }

        public async ValueTask DisposeAsync()
        {
            if (_sidecar is not null)
            {
                await _sidecar.DisposeAsync();
            }

            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }

            _resources?.Delete(recursive: true);
        }

        private async Task StartCoreAsync()
        {
            // The real component, under a consumer name no one else uses, so no backlog and no shared leases.
            _resources = Directory.CreateTempSubdirectory("ig-stream-consumer-");
            var local = RepoPaths.Components("local_parity");
            foreach (var file in new[] { "secretstore.yaml", "resiliency.yaml" })
            {
                File.Copy(Path.Combine(local, file), Path.Combine(_resources.FullName, file));
            }

            var binding = await File.ReadAllTextAsync(Path.Combine(local, "eb-traffic-in-rtdl.yaml"));
            Assert.Contains("value: rtdl-traffic", binding, StringComparison.Ordinal);
            await File.WriteAllTextAsync(
                Path.Combine(_resources.FullName, "eb-traffic-in-rtdl.yaml"),
                binding.Replace("value: rtdl-traffic", $"value: ig-tests-{Guid.NewGuid():N}", StringComparison.Ordinal));

            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            _app = builder.Build();
            _app.MapMethods(Route, [HttpMethods.Options], () => Results.Ok());
            _app.MapPost(Route, async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                _records.Enqueue(body.ToArray());
                return Results.Ok();
            });
            await _app.StartAsync();
            _sidecar = await Backends.StartSidecarAsync("rtdl", _resources.FullName, port);
        }
    }
}
