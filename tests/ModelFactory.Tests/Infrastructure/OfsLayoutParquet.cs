using ModelFactory.Domain;
using Parquet;
using Parquet.Schema;
using Platform.Features;

namespace ModelFactory.Tests.Infrastructure;

/// <summary>
/// Writes rows as OFS lays out a dataset file (event_id, ts_utc_micros, label, then the features: int64, or float64,
/// nullable where the feature may be missing, NaN written as null), optionally with the feature columns reordered.
/// </summary>
internal static class OfsLayoutParquet
{
    public static async Task<byte[]> WriteAsync(FeatureSetDefinition set, IReadOnlyList<TrainingRow> rows, IReadOnlyList<string>? featureOrder = null)
    {
        var specs = (featureOrder ?? [.. set.Features.Select(f => f.Name)]).Select(name => (Spec: set.Features[set.IndexOf(name)], Index: set.IndexOf(name))).ToList();
        var fields = new List<DataField> { new DataField<string>("event_id"), new DataField<long>("ts_utc_micros"), new DataField<bool>("label") };
        fields.AddRange(specs.Select(f => f.Spec.Type == FeatureValueType.Int64
            ? new DataField<long>(f.Spec.Name)
            : f.Spec.Nullable ? (DataField)new DataField<double?>(f.Spec.Name) : new DataField<double>(f.Spec.Name)));
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(fields[0], rows.Select(r => r.EventId).ToList());
            await group.WriteAsync<long>(fields[1], rows.Select(r => r.TsUtcMicros).ToArray());
            await group.WriteAsync<bool>(fields[2], rows.Select(r => r.Label).ToArray());
            for (var f = 0; f < specs.Count; f++)
            {
                var (spec, index) = specs[f];
                if (spec.Type == FeatureValueType.Int64)
                {
                    await group.WriteAsync<long>(fields[3 + f], rows.Select(r => (long)r.Features[index]).ToArray());
                }
                else if (spec.Nullable)
                {
                    await group.WriteAsync<double>(fields[3 + f], rows.Select(r => float.IsNaN(r.Features[index]) ? null : (double?)r.Features[index]).ToArray());
                }
                else
                {
                    await group.WriteAsync<double>(fields[3 + f], rows.Select(r => (double)r.Features[index]).ToArray());
                }
            }
        }

        return stream.ToArray();
    }
}
