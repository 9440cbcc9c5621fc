using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.IntegrationTests.Infrastructure;

namespace Platform.Substrate.IntegrationTests;

/// <summary>
/// The traffic stream end to end: app ig publishes with <see cref="DaprEventBus"/> through <c>eb-traffic-out</c>;
/// app rtdl consumes through <c>eb-traffic-in-rtdl</c> with Substrate's <see cref="EventBusConsumerEndpoints"/> in a
/// real Kestrel app behind its own sidecar (the Kinesis emulation keeps the stream in PostgreSQL).
/// </summary>
public sealed class EventBusFixture : IAsyncLifetime
{
    private readonly IgSidecar _ig = new();

    internal ConsumerApp Rtdl { get; private set; } = null!;

    public DaprEventBus Bus => _ig.Bus;

    public async Task InitializeAsync()
    {
        // The consumer first: its subscription starts at the records published after its sidecar built the binding.
        // rtdl also reads the context stream; mapping it keeps those deliveries from being retried against a 404.
        Rtdl = await ConsumerApp.StartAsync(
            PlatformNames.AppIds.DecisionLoop, [PlatformNames.Streams.Traffic, PlatformNames.Streams.Context]);
        await _ig.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _ig.DisposeAsync();
        await Rtdl.DisposeAsync();
    }
}

public sealed class EventBusTests(EventBusFixture fixture) : IClassFixture<EventBusFixture>
{
    private const string Component = "eb-traffic-in-rtdl";

    private static readonly EventStream Traffic = PlatformNames.Streams.Traffic;

    private readonly string _marker = Guid.NewGuid().ToString("N");

    private ConsumerApp Rtdl => fixture.Rtdl;

    [Fact]
    public async Task Records_arrive_intact_and_in_order_per_partition_key()
    {
        string[] keys = ["card-1", "card-2", "card-3", "card-4", "card-5"];
        var published = new List<(string Key, int Seq, byte[] Record)>();
        for (var seq = 0; seq < 40; seq++)
        {
            var key = keys[(seq * 3) % keys.Length];
            var record = Record(key, seq);
            var result = await fixture.Bus.PublishAsync(Traffic, key, record, CancellationToken.None);
            Assert.Equal((Traffic.StreamName, key, null), (result.Stream, result.PartitionKey, result.SequenceNumber));
            published.Add((key, seq, record));
        }

        await Rtdl.WaitUntilAsync(a => Mine(a).Count(d => d.Attempt.StatusCode == 200) >= published.Count, "40 records");

        var delivered = Mine(Rtdl.Attempts);
        Assert.All(delivered, d => Assert.Equal((Component, 200), (d.Attempt.Component, d.Attempt.StatusCode)));
        foreach (var key in keys)
        {
            Assert.Equal(
                published.Where(p => p.Key == key).Select(p => (p.Seq, Convert.ToBase64String(p.Record))),
                delivered.Where(d => d.Key == key).Select(d => (d.Seq, Convert.ToBase64String(d.Attempt.Record))));
        }

        // On the stream each record carries its own partition key, and one key always lands on one shard.
        var stored = await StreamRecords.ContainingAsync(Traffic.StreamName, _marker);
        Assert.Equal(published.Count, stored.Count);
        Assert.All(stored, s => Assert.Equal(Parse(s.Data)?.Key, s.PartitionKey));
        Assert.All(stored.GroupBy(s => s.PartitionKey), g => Assert.Single(g.Select(s => s.Shard).Distinct()));
    }

    [Fact]
    public async Task A_handler_exception_answers_500_and_the_sidecar_retries_before_moving_on()
    {
        const string key = "card-retry";
        var failures = 0;
        Rtdl.Handler = delivery =>
        {
            if (Parse(delivery.Record.Span) is { Seq: 0 } mine && mine.Run == _marker && Interlocked.Increment(ref failures) <= 2)
            {
                throw new InvalidOperationException("the record could not be made durable yet");
            }

            return Task.CompletedTask;
        };
        try
        {
            await fixture.Bus.PublishAsync(Traffic, key, Record(key, 0), CancellationToken.None);
            await fixture.Bus.PublishAsync(Traffic, key, Record(key, 1), CancellationToken.None);

            await Rtdl.WaitUntilAsync(a => Mine(a).Any(d => d.Seq == 1 && d.Attempt.StatusCode == 200), "the record after the failing one");
        }
        finally
        {
            Rtdl.Handler = _ => Task.CompletedTask;
        }

        // local_parity's Resiliency gives eb-traffic-in-rtdl an inbound retry policy: the same record is posted again
        // after each 500, and the next record of the key only after it succeeded.
        Assert.Equal(
            [(0, 500), (0, 500), (0, 200), (1, 200)],
            Mine(Rtdl.Attempts).Select(d => (d.Seq, d.Attempt.StatusCode)));
    }

    [Fact]
    public async Task A_missing_or_oversized_partition_key_is_refused_before_anything_is_published()
    {
        var record = Record("unused", 0);

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Bus.PublishAsync(Traffic, "", record, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => fixture.Bus.PublishAsync(Traffic, null!, record, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => fixture.Bus.PublishAsync(Traffic, new string('k', 257), record, CancellationToken.None));

        Assert.Empty(await StreamRecords.ContainingAsync(Traffic.StreamName, _marker));
    }

    [Fact]
    public async Task A_record_the_stream_rejects_surfaces_as_an_EventBusPublishException()
    {
        // Kinesis takes at most 1 MiB of data per record; the binding's error reaches the caller wrapped, not raw.
        var record = new byte[(1024 * 1024) + 1];
        Encoding.UTF8.GetBytes(_marker).CopyTo(record, 0);

        var error = await Assert.ThrowsAsync<EventBusPublishException>(
            () => fixture.Bus.PublishAsync(Traffic, "card-big", record, CancellationToken.None));

        Assert.Equal(Traffic.StreamName, error.Stream);
        Assert.IsType<Dapr.DaprException>(error.InnerException, exactMatch: false);
        Assert.Empty(await StreamRecords.ContainingAsync(Traffic.StreamName, _marker));
    }

    // JSON (so any other consumer of the stream can read and ignore it) with multi-byte UTF-8 and a binary blob.
    private byte[] Record(string key, int seq)
    {
        var blob = new byte[new Random(seq).Next(0, 2000)];
        new Random(seq + 1).NextBytes(blob);
        return Encoding.UTF8.GetBytes(
            $$"""{"test_run":"{{_marker}}","partition_key":"{{key}}","seq":{{seq}},"text":"naïve € 😀 \"q\" \\","blob":"{{Convert.ToBase64String(blob)}}"}""");
    }

    private List<(string Key, int Seq, DeliveryAttempt Attempt)> Mine(IEnumerable<DeliveryAttempt> attempts) =>
        [.. attempts.Select(a => (Parsed: Parse(a.Record), Attempt: a))
            .Where(x => x.Parsed?.Run == _marker)
            .Select(x => (x.Parsed!.Value.Key, x.Parsed.Value.Seq, x.Attempt))];

    /// <summary>The test fields of one of our records; null for anything else found on the stream.</summary>
    private static (string Run, string Key, int Seq)? Parse(ReadOnlySpan<byte> record)
    {
        try
        {
            var root = JsonDocument.Parse(record.ToArray()).RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("test_run", out var run)
                ? (run.GetString()!, root.GetProperty("partition_key").GetString()!, root.GetProperty("seq").GetInt32())
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
