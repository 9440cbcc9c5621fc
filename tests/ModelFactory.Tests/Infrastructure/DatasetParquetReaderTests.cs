using ModelFactory.Domain;
using ModelFactory.Infrastructure;
using Platform.Features;

namespace ModelFactory.Tests.Infrastructure;

/// <summary>Reads files laid out as OFS writes them (event_id, ts_utc_micros, label, then the feature columns).</summary>
public sealed class DatasetParquetReaderTests
{
    private static readonly FeatureSetDefinition Set = FraudCore.V1;

    [Fact]
    public async Task Columns_become_rows_with_missing_values_as_nan()
    {
        var rows = Synthetic.Rows(50, seed: 3);
        var withMissing = rows.Select(r => r.Features[Set.IndexOf("acct_seconds_since_last_txn_7d")]).Count(float.IsNaN);
        using var file = new MemoryStream(await OfsLayoutParquet.WriteAsync(Set, rows));

        var dataset = await DatasetParquetReader.ReadAsync(Set, file, CancellationToken.None);

        Assert.Equal(rows.Count, dataset.Count);
        Assert.True(withMissing > 0, "the generator leaves some gaps missing");
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal((rows[i].EventId, rows[i].TsUtcMicros, rows[i].Label), (dataset.EventId(i), dataset.TsUtcMicros(i), dataset.Label(i)));
            Assert.Equal(rows[i].Features, dataset.Features(i).ToArray());
        }
    }

    [Fact]
    public async Task A_file_whose_columns_are_not_the_feature_sets_is_refused()
    {
        var rows = Synthetic.Rows(2, seed: 3);
        using var file = new MemoryStream(await OfsLayoutParquet.WriteAsync(Set, rows, [.. Set.Features.Select(f => f.Name).Reverse()]));
        await Assert.ThrowsAsync<InvalidDataException>(() => DatasetParquetReader.ReadAsync(Set, file, CancellationToken.None));
    }
}
