using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.S3.Model;
using FeatureStore.Domain;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Testing;

namespace Learning.Benchmark;

/// <summary>
/// The OFS stages on a sample of records through the real path: archive objects on the local s3rver (written straight
/// with the S3 client, which is faster than through a sidecar), read by the activities through a Dapr sidecar harness
/// and its S3 binding (<see cref="DaprObjectStore"/>). Measures what one archive object per record costs per GET, to
/// size the 1,000,000-record case; needs the local backing services (deploy/local_parity/backends-up.sh).
/// </summary>
internal static class SidecarSample
{
    private const int PutConcurrency = 16;

    /// <summary>Also moves the full run's dataset parts (<paramref name="datasetRows"/> rows) through the sidecar once each way: MF reads them that way.</summary>
    public static async Task RunAsync(int count, int seed, IReadOnlyList<byte[]> datasetParts, long datasetRows, Report report)
    {
        // A fresh run per sample: archive objects are write-once, so a second sample never meets the first one's keys.
        var run = PlatformRunId.Mint(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var transactions = SyntheticTraffic.Generate(count, seed, LearningBenchmark.Start);
        var records = new ConcurrentBag<(string Key, byte[] Bytes)>();
        ArchiveSeeder.Seed((key, bytes) => records.Add((key, bytes)), run, transactions, transactions[^1].Event.TsUtc.AddHours(1));

        var backends = BackendEnvironment.Current;
        using var s3 = backends.S3Client();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = PutConcurrency }, async (record, ct) =>
        {
            // s3rver stores an aws-chunked body as it came: plain bodies only.
            using var content = new MemoryStream(record.Bytes, writable: false);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = backends.S3Bucket, Key = record.Key, InputStream = content, ContentType = "application/json", UseChunkEncoding = false }, ct);
        });
        report.Setup("sidecar sample: seed s3rver (S3 PUT direct)", clock.Elapsed, count);

        await using var sidecar = await HarnessInstance.StartAsync("ofs");
        var store = new TimedObjectStore(new DaprObjectStore(sidecar.Client));
        var runtime = new PlatformRuntime("ofs", PlatformEnvironment.LocalParity, ServiceRelease.Parse(new string('b', 40)));
        var facts = new GovernanceFactEmitter(store, new LearningBenchmark.DiscardingEventBus(), NullLogger<GovernanceFactEmitter>.Instance);
        await LearningBenchmark.RunOfsAsync(
            store, LearningBenchmark.BuildRequest(run, transactions[^1].Event.TsUtc), LearningBenchmark.Labels(transactions), facts, runtime, report, "sidecar sample ofs");

        var keys = datasetParts.Select((_, i) => OfsBuildKeys.DatasetPart(run, "benchmark_transfer", i)).ToList();
        clock.Restart();
        for (var i = 0; i < keys.Count; i++)
        {
            await store.CreateIfAbsentAsync(keys[i], datasetParts[i], "application/vnd.apache.parquet", CancellationToken.None);
        }

        report.Stage($"sidecar: full dataset PUT ({keys.Count} parts, {datasetParts.Sum(p => (long)p.Length) / (1024 * 1024)} MB)", clock.Elapsed, datasetRows);
        clock.Restart();
        for (var i = 0; i < keys.Count; i++)
        {
            var back = await store.GetAsync(keys[i], CancellationToken.None);
            if (back is null || !back.AsSpan().SequenceEqual(datasetParts[i]))
            {
                throw new InvalidDataException($"Dataset part {keys[i]} read back through the sidecar is not the one written.");
            }
        }

        report.Stage("sidecar: full dataset GET (MF read path)", clock.Elapsed, datasetRows);
    }
}
