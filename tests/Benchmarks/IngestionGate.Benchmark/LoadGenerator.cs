using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace IngestionGate.Benchmark;

/// <summary>What one load run did: requests, events, wall time and every request's latency (sorted, in ms).</summary>
internal sealed record LoadResult(
    long Requests,
    long FailedRequests,
    long EventsSent,
    long EventsAdmitted,
    double Seconds,
    double[] LatenciesMs,
    long Missed,
    string? FirstError)
{
    public double EventsPerSecond => Seconds > 0 ? EventsAdmitted / Seconds : 0;

    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>Nearest-rank percentile of the request latencies.</summary>
    public double PercentileMs(double percentile) =>
        LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Clamp((int)Math.Ceiling(percentile / 100 * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>
/// HTTP load against a gateway's <c>POST /v1/events</c> (batch size 0) or <c>POST /v1/events:batch</c>, with keep-alive
/// connections. Closed loop: a fixed number of workers, each sending its next request when the last one answered.
/// Open loop: requests start at a fixed arrival rate whatever the answers do, and a request's latency counts from
/// when it was due (so a stalled gateway cannot hide its queueing). Both stop by themselves at a deadline and at a
/// request count; an event counts as admitted when its answer says <c>"decision":"ADMIT"</c>.
/// </summary>
internal sealed class LoadGenerator(EnvelopePool pool, string apiKey)
{
    private const string ApiKeyHeader = "X-Api-Key";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] AdmitMarker = "\"decision\":\"ADMIT\""u8.ToArray();
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<LoadResult> ClosedLoopAsync(Uri gateway, int batchSize, int concurrency, TimeSpan duration, long maxRequests, CancellationToken cancellationToken)
    {
        using var client = CreateClient(gateway, concurrency);
        var tally = new Tally();
        var issued = 0L;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref issued) <= maxRequests && !cancellationToken.IsCancellationRequested)
            {
                await SendAsync(client, batchSize, Stopwatch.GetTimestamp(), tally, cancellationToken);
            }
        }, cancellationToken)));
        return tally.Result(Stopwatch.GetElapsedTime(started).TotalSeconds, 0);
    }

    public async Task<LoadResult> OpenLoopAsync(Uri gateway, double requestsPerSecond, TimeSpan duration, int maxInFlight, CancellationToken cancellationToken)
    {
        using var client = CreateClient(gateway, maxInFlight);
        var tally = new Tally();
        var total = (long)(requestsPerSecond * duration.TotalSeconds);
        var ticksBetween = Stopwatch.Frequency / requestsPerSecond;
        var inFlight = 0;
        var missed = 0L;
        var sends = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0L; i < total && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = started + (long)(i * ticksBetween);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            // Past the cap the gateway is hopelessly behind; the request is not sent and counts as missed.
            if (Volatile.Read(ref inFlight) >= maxInFlight)
            {
                missed++;
                continue;
            }

            Interlocked.Increment(ref inFlight);
            sends.Add(Task.Run(async () =>
            {
                try
                {
                    await SendAsync(client, 0, due, tally, cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }, cancellationToken));
        }

        await Task.WhenAll(sends);
        return tally.Result(Stopwatch.GetElapsedTime(started).TotalSeconds, missed);
    }

    private async Task SendAsync(HttpClient client, int batchSize, long startedAt, Tally tally, CancellationToken cancellationToken)
    {
        var events = Math.Max(batchSize, 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, batchSize == 0 ? "v1/events" : "v1/events:batch")
        {
            Content = new ByteArrayContent(pool.NextBody(batchSize)),
        };
        request.Content.Headers.ContentType = Json;
        request.Headers.Add(ApiKeyHeader, apiKey);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var latency = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
            if (response.IsSuccessStatusCode)
            {
                tally.Add(latency, events, CountAdmits(body), null);
            }
            else
            {
                var text = System.Text.Encoding.UTF8.GetString(body);
                tally.Add(latency, events, 0, $"HTTP {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]}");
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            tally.Add(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, events, 0, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    private static HttpClient CreateClient(Uri gateway, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        return new HttpClient(handler) { BaseAddress = gateway, Timeout = RequestTimeout };
    }

    private static int CountAdmits(ReadOnlySpan<byte> body)
    {
        var count = 0;
        for (var at = body.IndexOf(AdmitMarker); at >= 0; at = body.IndexOf(AdmitMarker))
        {
            count++;
            body = body[(at + AdmitMarker.Length)..];
        }

        return count;
    }

    private sealed class Tally
    {
        private readonly Lock _lock = new();
        private readonly List<double> _latencies = [];
        private long _failed;
        private long _sent;
        private long _admitted;
        private string? _firstError;

        public void Add(double latencyMs, int events, int admitted, string? error)
        {
            lock (_lock)
            {
                _latencies.Add(latencyMs);
                _sent += events;
                _admitted += admitted;
                if (error is not null)
                {
                    _failed++;
                    _firstError ??= error;
                }
            }
        }

        public LoadResult Result(double seconds, long missed)
        {
            lock (_lock)
            {
                var sorted = _latencies.ToArray();
                Array.Sort(sorted);
                return new LoadResult(sorted.Length, _failed, _sent, _admitted, seconds, sorted, missed, _firstError);
            }
        }
    }
}
