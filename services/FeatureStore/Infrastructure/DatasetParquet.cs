using FeatureStore.Domain;
using Parquet;
using Parquet.Schema;
using Platform.Features;

namespace FeatureStore.Infrastructure;

/// <summary>
/// A dataset as one Parquet file: <c>event_id</c>, <c>ts_utc_micros</c> (microseconds since the Unix epoch, UTC),
/// <c>label</c>, then the feature vector's columns in schema order with their types (int64 / float64, nullable where
/// the feature may be missing). Rows in replay order; one row group per <see cref="RowGroupSize"/> rows.
/// </summary>
public static class DatasetParquet
{
    public const int RowGroupSize = 100_000;

    public static ParquetSchema SchemaOf(FeatureSetDefinition featureSet)
    {
        ArgumentNullException.ThrowIfNull(featureSet);
        var fields = new List<Field> { new DataField<string>("event_id"), new DataField<long>("ts_utc_micros"), new DataField<bool>("label") };
        fields.AddRange(featureSet.Features.Select(f => f.Type == FeatureValueType.Int64
            ? (Field)new DataField<long>(f.Name)
            : f.Nullable ? new DataField<double?>(f.Name) : new DataField<double>(f.Name)));
        return new ParquetSchema(fields);
    }

    public static async Task<byte[]> WriteAsync(FeatureSetDefinition featureSet, IReadOnlyList<DatasetRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var schema = SchemaOf(featureSet);
        var fields = schema.GetDataFields();
        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, buffer, cancellationToken: cancellationToken))
        {
            for (var start = 0; start == 0 || start < rows.Count; start += RowGroupSize)
            {
                var group = rows.Skip(start).Take(RowGroupSize).ToList();
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync(fields[0], group.Select(r => r.EventId).ToList());
                await rowGroup.WriteAsync<long>(fields[1], group.Select(r => (r.TsUtc.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToArray(), cancellationToken: cancellationToken);
                await rowGroup.WriteAsync<bool>(fields[2], group.Select(r => r.Label).ToArray(), cancellationToken: cancellationToken);
                for (var i = 0; i < featureSet.Features.Count; i++)
                {
                    var spec = featureSet.Features[i];
                    var field = fields[3 + i];
                    if (spec.Type == FeatureValueType.Int64)
                    {
                        await rowGroup.WriteAsync<long>(field, group.Select(r => (long)r.Features[i]!.Value).ToArray(), cancellationToken: cancellationToken);
                    }
                    else if (spec.Nullable)
                    {
                        await rowGroup.WriteAsync<double>(field, group.Select(r => r.Features[i]).ToArray(), cancellationToken: cancellationToken);
                    }
                    else
                    {
                        await rowGroup.WriteAsync<double>(field, group.Select(r => r.Features[i]!.Value).ToArray(), cancellationToken: cancellationToken);
                    }
                }

                if (rows.Count == 0)
                {
                    break;
                }
            }
        }

        return buffer.ToArray();
    }
}
