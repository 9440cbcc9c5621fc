using FeatureStore.Domain;
using FeatureStore.Infrastructure;
using Parquet;
using Platform.Features;
using Platform.Substrate.Environments;

namespace FeatureStore.Tests.Workflows;

/// <summary>The point-in-time dataset, its Parquet file and its manifest.</summary>
public sealed class DatasetTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private static readonly LabelBasis Basis = new(AsOf, LabelBasis.FraudPositiveElseMatureNegativeV0, MaturityDays: 3);

    private static FeatureEvent Txn(string id, DateTimeOffset ts, string account = "acct-1") => new(id, ts, account, "m-1", "c-" + account, "d-1", 1000);

    private static LabelObservation Label(string eventId, string type, string value, DateTimeOffset observed, string id = "a") => new(eventId, type, value, observed, id + eventId + value);

    [Fact]
    public void A_label_observed_after_label_asof_never_counts()
    {
        var old = AsOf.AddDays(-10);
        var transactions = new[] { Txn("late-fraud", old), Txn("known-fraud", old.AddMinutes(1)) };
        var labels = new[]
        {
            Label("late-fraud", LabelObservation.ChargebackStatus, "CHARGEBACK", AsOf.AddTicks(10)),
            Label("known-fraud", LabelObservation.ChargebackStatus, "CHARGEBACK", AsOf),
        };

        var (rows, counts) = PointInTimeDataset.Build(FraudCore.V1, transactions, 0, labels, Basis);

        Assert.False(rows.Single(r => r.EventId == "late-fraud").Label);
        Assert.True(rows.Single(r => r.EventId == "known-fraud").Label);
        Assert.Equal(new RowCounts(2, 1, 0, 0, 1), counts);
    }

    [Fact]
    public void The_latest_label_per_type_decides_and_undecided_recent_transactions_are_dropped_as_immature()
    {
        var transactions = new[]
        {
            Txn("flip-to-legit", AsOf.AddDays(-1)),
            Txn("suspected-only", AsOf.AddDays(-1).AddMinutes(1)),
            Txn("recent-unlabelled", AsOf.AddDays(-1).AddMinutes(2)),
            Txn("mature-unlabelled", AsOf.AddDays(-5)),
        };
        var labels = new[]
        {
            Label("flip-to-legit", LabelObservation.FraudDisposition, "FRAUD_SUSPECTED", AsOf.AddHours(-5)),
            Label("flip-to-legit", LabelObservation.FraudDisposition, "LEGIT_CONFIRMED", AsOf.AddHours(-4)),
            Label("suspected-only", LabelObservation.FraudDisposition, "FRAUD_SUSPECTED", AsOf.AddHours(-4)),
        };

        var (rows, counts) = PointInTimeDataset.Build(FraudCore.V1, transactions, unreadableTransactions: 2, labels, Basis);

        Assert.Equal(["mature-unlabelled", "flip-to-legit"], rows.Select(r => r.EventId));
        Assert.All(rows, r => Assert.False(r.Label));
        Assert.Equal(new RowCounts(2, 0, 2, 2, 0), counts);
    }

    [Fact]
    public void Dataset_features_are_the_offline_replay_of_every_transaction_not_only_of_the_labelled_rows()
    {
        var stream = Features.GeneratedStream.Create(400, seed: 9).Select(e => e with { TsUtc = e.TsUtc.AddDays(-30) }).ToList();
        var labels = stream.Where((_, i) => i % 7 == 0).Select(e => Label(e.EventId, LabelObservation.ChargebackStatus, "CHARGEBACK", AsOf.AddDays(-1))).ToList();

        var (rows, counts) = PointInTimeDataset.Build(FraudCore.V1, stream, 0, labels, Basis);

        var replay = OfflineReplay.Run(FraudCore.V1, stream).ToDictionary(r => r.Event.EventId, r => r.Features.Values);
        Assert.Equal(stream.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(replay[r.EventId], r.Features));
        Assert.Equal(labels.Count, counts.Positives);
    }

    [Fact]
    public async Task The_parquet_file_is_byte_identical_for_the_same_rows_and_reads_back_in_schema_order()
    {
        var stream = Features.GeneratedStream.Create(300, seed: 4).Select(e => e with { TsUtc = e.TsUtc.AddDays(-30) }).ToList();
        var (rows, _) = PointInTimeDataset.Build(FraudCore.V1, stream, 0, [], Basis);

        var first = await DatasetParquet.WriteAsync(FraudCore.V1, rows, CancellationToken.None);
        var second = await DatasetParquet.WriteAsync(FraudCore.V1, rows, CancellationToken.None);
        Assert.Equal(first, second);

        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(first));
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["event_id", "ts_utc_micros", "label", .. FraudCore.V1.Features.Select(f => f.Name)], fields.Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(0);
        var ids = new string?[rows.Count];
        await group.ReadAsync(fields[0], ids.AsMemory());
        Assert.Equal(rows.Select(r => r.EventId), ids);
        var meanIndex = FraudCore.V1.IndexOf("acct_amount_mean_24h");
        var means = new double?[rows.Count];
        await group.ReadAsync(fields[3 + meanIndex], means.AsMemory());
        Assert.Equal(rows.Select(r => r.Features[meanIndex]), means);
        Assert.Contains(means, m => m is null);
    }

    [Fact]
    public void The_manifest_fingerprint_ignores_list_order_and_moves_with_every_input()
    {
        DatasetManifest Make(string release = "r1", long total = 5, bool reverse = false)
        {
            var digests = new[] { new ContentDigest("a", new string('1', 64)), new ContentDigest("b", new string('2', 64)) };
            var basis = new[]
            {
                new ReplayBasisEntry("fp.bus.context.v1", "all_partitions", ReplayRange.ArchiveKey, "s", "e", 3, new string('3', 64)),
                new ReplayBasisEntry("fp.bus.traffic.v1", "all_partitions", ReplayRange.ArchiveKey, "s", "e", 9, new string('4', 64)),
            };
            return DatasetManifest.Create(
                "platform_20261120T000000Z",
                reverse ? ["s2", "s1"] : ["s1", "s2"],
                reverse ? basis.Reverse() : basis,
                Basis,
                FeatureDefinitionSetRef.Of(FraudCore.V1),
                new RowCounts(total, 1, 0, 0, 0),
                reverse ? digests.Reverse() : digests,
                new ManifestProvenance(release, null, null, PlatformEnvironment.LocalParity));
        }

        var manifest = Make();
        Assert.Equal(manifest.DatasetFingerprint, Make(reverse: true).DatasetFingerprint);
        Assert.Equal("dm_" + manifest.DatasetFingerprint[..32], manifest.DatasetManifestId);
        Assert.NotEqual(manifest.DatasetFingerprint, Make(release: "r2").DatasetFingerprint);
        Assert.NotEqual(manifest.DatasetFingerprint, Make(total: 6).DatasetFingerprint);
        Assert.Equal($"platform_20261120T000000Z/ofs/manifests/{manifest.DatasetManifestId}.json", manifest.ObjectKey);
    }
}
