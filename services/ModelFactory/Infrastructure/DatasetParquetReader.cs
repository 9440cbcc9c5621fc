using ModelFactory.Domain;
using Parquet;
using Parquet.Schema;
using Platform.Features;

namespace ModelFactory.Infrastructure;

/// <summary>
/// Reads an OFS dataset file: <c>event_id</c> (string), <c>ts_utc_micros</c> (int64, microseconds since the Unix
/// epoch, UTC), <c>label</c> (boolean), then one column per feature of the set, named as the feature, int64 or
/// float64 (nullable where the feature may be missing). Values become float32; a missing value becomes NaN, which
/// FastTree treats as missing. A file whose columns do not match the feature set is refused.
/// </summary>
public static class DatasetParquetReader
{
    public static async Task<TrainingDataset> ReadAsync(FeatureSetDefinition featureSet, Stream parquet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(featureSet);
        await using var reader = await ParquetReader.CreateAsync(parquet, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        var expected = new List<string> { "event_id", "ts_utc_micros", "label" };
        expected.AddRange(featureSet.Features.Select(f => f.Name));
        if (!fields.Select(f => f.Name).SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new InvalidDataException(
                $"The dataset's columns [{string.Join(", ", fields.Select(f => f.Name))}] are not those of {featureSet.FeatureSetId}/{featureSet.FeatureSetVersion}.");
        }

        var rows = new List<TrainingRow>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var ids = new string?[count];
            await group.ReadAsync(fields[0], ids.AsMemory(), cancellationToken: cancellationToken);
            var ts = new long[count];
            await group.ReadAsync<long>(fields[1], ts.AsMemory(), cancellationToken: cancellationToken);
            var labels = new bool[count];
            await group.ReadAsync<bool>(fields[2], labels.AsMemory(), cancellationToken: cancellationToken);
            var columns = new float[featureSet.Features.Count][];
            for (var f = 0; f < columns.Length; f++)
            {
                columns[f] = await ReadFeatureAsync(group, fields[3 + f], featureSet.Features[f], count, cancellationToken);
            }

            for (var i = 0; i < count; i++)
            {
                rows.Add(new TrainingRow(ids[i] ?? throw new InvalidDataException($"Row {i} of row group {g} has no event_id."), ts[i], labels[i], [.. columns.Select(c => c[i])]));
            }
        }

        return TrainingDataset.Create(featureSet, rows);
    }

    private static async Task<float[]> ReadFeatureAsync(ParquetRowGroupReader group, DataField field, FeatureSpec spec, int count, CancellationToken cancellationToken)
    {
        if (spec.Type == FeatureValueType.Int64)
        {
            var values = new long[count];
            await group.ReadAsync<long>(field, values.AsMemory(), cancellationToken: cancellationToken);
            return [.. values.Select(v => (float)v)];
        }

        if (field.IsNullable)
        {
            var values = new double?[count];
            await group.ReadAsync<double>(field, values.AsMemory(), cancellationToken: cancellationToken);
            return [.. values.Select(v => v.HasValue ? (float)v.Value : float.NaN)];
        }

        var plain = new double[count];
        await group.ReadAsync<double>(field, plain.AsMemory(), cancellationToken: cancellationToken);
        return [.. plain.Select(v => (float)v)];
    }
}
