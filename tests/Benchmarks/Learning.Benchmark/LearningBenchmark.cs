using System.Diagnostics;
using System.Globalization;
using FeatureStore.Activities;
using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using FeatureStore.Workflows;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelFactory.Activities;
using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using ModelFactory.Training;
using ModelFactory.Workflows;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Testing;
using Platform.Testing.Fakes;

namespace Learning.Benchmark;

/// <summary>
/// OFS build + MF train on N synthetic transactions (default 1,000,000): the real workflow activities in the order
/// their workflows call them (the workflow engine's few round trips per job are not measured), over the object store
/// the services use: the S3 binding of a Dapr sidecar harness on the local s3rver (<c>sidecar</c>, the default; needs
/// deploy/local_parity/backends-up.sh), or an in-memory store (<c>memory</c>, compute only). Prints wall time, peak RSS
/// and rows/s per stage, then re-runs the dataset and training code once more, split into its steps, to attribute the
/// time inside the two big activities (not counted in the end-to-end time).
/// Usage: Learning.Benchmark [transactions] [seed] [sidecar|memory]
/// </summary>
internal static class LearningBenchmark
{
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private const int SeedConcurrency = 8;

    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20261128;
        var mode = args.Length > 2 ? args[2] : "sidecar";
        if (mode is not ("sidecar" or "memory"))
        {
            Console.Error.WriteLine($"store must be sidecar or memory, not '{mode}'");
            return 2;
        }

        // Archive objects are write-once: a run of its own per sidecar benchmark, so a second one never meets the first's keys.
        var run = PlatformRunId.Mint(mode == "memory" ? Start : DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var schemas = Path.Combine(AppContext.BaseDirectory, "schemas");
        var ofsRuntime = new PlatformRuntime("ofs", PlatformEnvironment.LocalParity, ServiceRelease.Parse(new string('b', 40)));
        var mfRuntime = new PlatformRuntime("mf", PlatformEnvironment.LocalParity, ServiceRelease.Parse(new string('b', 40)));
        var report = new Report();

        Console.WriteLine($"Learning benchmark: {count:N0} transactions, seed {seed}, {mode} store, {Environment.ProcessorCount} cores, load {LoadAverage()}");

        // Setup (not in the end-to-end time): generate, label, archive.
        var clock = Stopwatch.StartNew();
        var transactions = SyntheticTraffic.Generate(count, seed, Start);
        var end = transactions[^1].Event.TsUtc;
        var labels = Labels(transactions);
        report.Setup("generate", clock.Elapsed, count);
        clock.Restart();
        var segments = ArchiveSeeder.Segments(run, transactions, end.AddHours(1));
        report.Setup($"encode archive ({segments.Count} segments, {segments.Sum(s => (long)s.Content.Length) / (1024 * 1024)} MB gzip)", clock.Elapsed, count);

        await using var sidecar = mode == "sidecar" ? await HarnessInstance.StartAsync("ofs") : null;
        IObjectStore backing = sidecar is null ? new InMemoryObjectStore() : new DaprObjectStore(sidecar.Client);
        clock.Restart();
        await SeedAsync(backing, segments);
        report.Setup($"write archive segments ({(sidecar is null ? "memory" : "S3 binding")})", clock.Elapsed, count);
        var store = new TimedObjectStore(backing);
        var facts = new GovernanceFactEmitter(store, new DiscardingEventBus(), NullLogger<GovernanceFactEmitter>.Instance);

        var request = BuildRequest(run, end);
        var total = Stopwatch.StartNew();
        var (_, dataset, manifest) = await RunOfsAsync(store, request, labels, facts, ofsRuntime, report, "ofs");
        var ofsPeak = PeakRssMb();

        var train = new MfTrainRequest(
            MfTrainRequest.Version, run, [new DatasetManifestRef(manifest.DatasetManifestId, manifest.DatasetFingerprint)], TrainingConfig.Default, new ScopeKey("local_parity", "fraud", "primary"), "1");
        var jobId = train.JobId();
        clock.Restart();
        var check = await new VerifyManifestsActivity(store).RunAsync(null!, train);
        if (check.Problem is not null)
        {
            Console.Error.WriteLine($"MF refused the dataset: {check.Problem}");
            return 1;
        }

        report.Stage("mf: verify manifest", clock.Elapsed, dataset.RowCounts.Total);
        var (profile, gateDigest) = GateProfile.Load(schemas);
        clock.Restart();
        var trained = await new TrainAndEvaluateActivity(store, mfRuntime, new LoadedGateProfile(profile, gateDigest)).RunAsync(null!, new TrainInput(jobId, train, check.Manifests));
        report.Stage("mf: read + train + eval (activity)", clock.Elapsed, dataset.RowCounts.Total);
        clock.Restart();
        BundleRef? bundle = null;
        if (trained.Bundle is not null)
        {
            bundle = await new PublishBundleActivity(store, facts, mfRuntime).RunAsync(
                null!, new PublishBundleInput(jobId, run, train.TargetScopeKey, trained.Bundle, trained.BundleId!, end));
        }

        await new EmitTrainCompletedActivity(facts, mfRuntime).RunAsync(null!, new TrainCompletedInput(jobId, train, trained, bundle, end));
        report.Stage("mf: bundle + completed fact", clock.Elapsed, dataset.RowCounts.Total);
        var endToEnd = total.Elapsed;

        // Attribution probes: the same code again, step by step; the digests must come out identical (determinism).
        clock.Restart();
        var (rows, counts) = PointInTimeDataset.Build(FraudCore.V1, transactions.Select(t => t.Event), 0, labels, request.LabelBasis);
        report.Probe("features (PointInTimeDataset.Build)", clock.Elapsed, count);
        clock.Restart();
        await DatasetParquet.WriteAsync(FraudCore.V1, rows, CancellationToken.None);
        report.Probe("Parquet encode, one file (DatasetParquet.WriteAsync)", clock.Elapsed, rows.Count);
        var datasetParts = new List<byte[]>();
        foreach (var part in dataset.ContentDigests)
        {
            datasetParts.Add(await backing.GetAsync(part.ObjectRef, CancellationToken.None) ?? throw new InvalidDataException($"{part.ObjectRef} is missing."));
        }

        clock.Restart();
        var readParts = new List<TrainingDataset>();
        foreach (var part in datasetParts)
        {
            using var stream = new MemoryStream(part, writable: false);
            readParts.Add(await DatasetParquetReader.ReadAsync(FraudCore.V1, stream, CancellationToken.None));
        }

        var read = TrainingDataset.Concat(readParts);
        report.Probe("mf read (DatasetParquetReader.ReadAsync)", clock.Elapsed, read.Count);
        var (trainRows, evalRows, _) = TimeSplit.Split(read, train.TrainingConfig.TrainFraction);
        clock.Restart();
        var model = FastTreeModel.Train(trainRows, train.TrainingConfig);
        report.Probe("mf train (FastTreeModel.Train)", clock.Elapsed, trainRows.Count);
        clock.Restart();
        var scores = FastTreeModel.Score(model, evalRows);
        Metrics.Compute([.. Enumerable.Range(0, evalRows.Count).Select(evalRows.Label)], scores, train.TrainingConfig.K, train.TrainingConfig.CalibrationBins);
        report.Probe("mf eval (score + metrics)", clock.Elapsed, evalRows.Count);

        report.Print();
        Console.WriteLine();
        Console.WriteLine($"rows: {dataset.RowCounts.Total:N0} (positives {dataset.RowCounts.Positives:N0}, immature dropped {dataset.RowCounts.DroppedImmature:N0}), labels {labels.Count:N0}");
        Console.WriteLine($"gate: {trained.GateDecision}; bundle: {bundle?.BundleId ?? "none (gate did not pass)"}");
        Console.WriteLine($"dataset fingerprint: {manifest.DatasetFingerprint}; {datasetParts.Count} parts, {datasetParts.Sum(p => (long)p.Length):N0} bytes");
        Console.WriteLine($"determinism: probe row counts {(counts == dataset.RowCounts && read.Count == rows.Count ? "identical" : "DIFFERENT")}, probe model (trained on the parts read back) {(model.Sha256 == trained.ModelSha256 ? "identical" : "DIFFERENT")}");
        Console.WriteLine($"peak RSS: {ofsPeak:N0} MB after OFS, {PeakRssMb():N0} MB overall (setup included)");
        Console.WriteLine($"END TO END (OFS build + MF train, {mode} store): {endToEnd.TotalSeconds:F1} s; target <= 120 s: {(endToEnd.TotalSeconds <= 120 ? "MET" : "MISSED")}");
        Console.WriteLine($"load after: {LoadAverage()}");
        return 0;
    }

    private static Task SeedAsync(IObjectStore store, IReadOnlyList<EncodedSegment> segments) =>
        Parallel.ForEachAsync(segments, new ParallelOptions { MaxDegreeOfParallelism = SeedConcurrency }, async (segment, ct) =>
            await store.CreateIfAbsentAsync(segment.Key, segment.Content, "application/gzip", ct));

    public static OfsBuildRequest BuildRequest(string run, DateTimeOffset lastEvent) => new(
        run,
        [new ReplayRange(PlatformNames.Streams.Traffic.StreamName, ReplayRange.ArchiveKey, "00000000T000000000000Z_" + new string('0', 32), "99991231T235959999999Z_" + new string('f', 32))],
        new LabelBasis(UtcTimestamp.Truncate(lastEvent.AddDays(1)), LabelBasis.FraudPositiveElseMatureNegativeV0, 3),
        FeatureDefinitionSetRef.Of(FraudCore.V1),
        new string('b', 40));

    /// <summary>Fraud transactions get a chargeback observed four days later (the rest are negatives once mature).</summary>
    public static List<LabelObservation> Labels(IEnumerable<SyntheticTransaction> transactions) =>
        [.. transactions.Where(t => t.Fraud)
            .Select(t => new LabelObservation(t.Event.EventId, LabelObservation.ChargebackStatus, "CHARGEBACK", t.Event.TsUtc.AddDays(4), "la-" + t.Event.EventId))];

    /// <summary>OfsBuildWorkflow's activities in its order, each timed; the dataset activity split at the store calls.</summary>
    public static async Task<(ArchiveSnapshot Archive, DatasetBuildOutput Dataset, ManifestRef Manifest)> RunOfsAsync(
        TimedObjectStore store, OfsBuildRequest request, IReadOnlyList<LabelObservation> labels, GovernanceFactEmitter facts, PlatformRuntime runtime, Report report, string prefix)
    {
        var run = request.PlatformRunId;
        var buildId = request.BuildId();
        var clock = Stopwatch.StartNew();
        var archive = await new SnapshotArchiveActivity(store, Options.Create(new FeatureStoreOptions())).RunAsync(null!, new SnapshotArchiveInput(buildId, run, request.ReplayBasis[0]));
        report.Stage($"{prefix}: archive snapshot (list spool + {archive.SegmentCount} segments)", clock.Elapsed, archive.SegmentCount);
        clock.Restart();
        var labelSnapshot = await new SnapshotLabelsActivity(new FixedLabelTimeline(labels), store).RunAsync(null!, new SnapshotLabelsInput(buildId, run));
        report.Stage($"{prefix}: label snapshot", clock.Elapsed, labelSnapshot.LabelCount);

        var buildStart = Stopwatch.GetTimestamp();
        var dataset = await new BuildDatasetActivity(store).RunAsync(
            null!, new BuildDatasetInput(buildId, run, [archive], labelSnapshot, request.LabelBasis, request.FeatureDefinitionSet));
        var buildEnd = Stopwatch.GetTimestamp();
        var records = dataset.ArchiveRecordCounts[0];
        report.Stage($"{prefix}: archive read (GET + verify + inflate + parse)", Stopwatch.GetElapsedTime(buildStart, store.LastArchiveReadTimestamp), records);
        report.Stage($"{prefix}: features (+ encode of part 0)", Stopwatch.GetElapsedTime(store.LastArchiveReadTimestamp, store.DatasetWriteStartedTimestamp), records);
        report.Stage($"{prefix}: Parquet encode + part writes ({dataset.ContentDigests.Count} parts)", Stopwatch.GetElapsedTime(store.DatasetWriteStartedTimestamp, buildEnd), dataset.RowCounts.Total);

        clock.Restart();
        var manifest = await new WriteManifestActivity(store, runtime).RunAsync(null!, new WriteManifestInput(request, [archive], dataset));
        await new EmitBuildCompletedActivity(facts, runtime).RunAsync(null!, new BuildCompletedInput(buildId, run, manifest, dataset.RowCounts, request.LabelBasis.LabelAsofUtc));
        report.Stage($"{prefix}: manifest + completed fact", clock.Elapsed, dataset.RowCounts.Total);
        return (archive, dataset, manifest);
    }

    private static long PeakRssMb()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024 * 1024);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed class FixedLabelTimeline(IReadOnlyList<LabelObservation> labels) : ILabelTimeline
    {
        public Task<IReadOnlyList<LabelObservation>> ReadRunAsync(string platformRunId, CancellationToken cancellationToken) => Task.FromResult(labels);
    }

    /// <summary>Governance facts go to the object store as usual; their bus copy has nowhere to go here.</summary>
    public sealed class DiscardingEventBus : IEventBus
    {
        public Task<EventBusPublishResult> PublishAsync(EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
            Task.FromResult(new EventBusPublishResult(stream?.StreamName ?? string.Empty, partitionKey, "0", DateTimeOffset.UnixEpoch));
    }
}
