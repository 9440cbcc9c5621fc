using Platform.Features;

namespace ModelFactory.Domain;

/// <summary>One labelled example: the scored transaction's id and event time, its label and its feature vector.</summary>
/// <param name="Features">In the feature set's vector order; a missing value is <see cref="float.NaN"/>.</param>
public sealed record TrainingRow(string EventId, long TsUtcMicros, bool Label, IReadOnlyList<float> Features);

/// <summary>
/// A dataset held column-wise in memory: ids, event times (microseconds since the Unix epoch, UTC), labels and a
/// row-major float matrix of the feature vectors of one feature definition set.
/// </summary>
public sealed class TrainingDataset
{
    private readonly string[] _eventIds;
    private readonly long[] _tsUtcMicros;
    private readonly bool[] _labels;
    private readonly float[] _features;

    private TrainingDataset(FeatureSetDefinition featureSet, string[] eventIds, long[] tsUtcMicros, bool[] labels, float[] features)
    {
        FeatureSet = featureSet;
        _eventIds = eventIds;
        _tsUtcMicros = tsUtcMicros;
        _labels = labels;
        _features = features;
    }

    public FeatureSetDefinition FeatureSet { get; }

    public int Count => _labels.Length;

    public int FeatureCount => FeatureSet.Features.Count;

    public long Positives => _labels.Count(l => l);

    public static TrainingDataset Create(FeatureSetDefinition featureSet, IReadOnlyCollection<TrainingRow> rows)
    {
        ArgumentNullException.ThrowIfNull(featureSet);
        ArgumentNullException.ThrowIfNull(rows);
        var width = featureSet.Features.Count;
        var eventIds = new string[rows.Count];
        var ts = new long[rows.Count];
        var labels = new bool[rows.Count];
        var features = new float[rows.Count * width];
        var i = 0;
        foreach (var row in rows)
        {
            if (row.Features.Count != width)
            {
                throw new ArgumentException($"Row {row.EventId} has {row.Features.Count} features; {featureSet.FeatureSetId}/{featureSet.FeatureSetVersion} has {width}.", nameof(rows));
            }

            eventIds[i] = row.EventId;
            ts[i] = row.TsUtcMicros;
            labels[i] = row.Label;
            for (var j = 0; j < width; j++)
            {
                features[(i * width) + j] = row.Features[j];
            }

            i++;
        }

        return new TrainingDataset(featureSet, eventIds, ts, labels, features);
    }

    /// <summary>Datasets of the same feature set, one after another (several DatasetManifests train one model).</summary>
    public static TrainingDataset Concat(IReadOnlyList<TrainingDataset> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0 || parts.Any(p => p.FeatureSet.DefinitionDigest != parts[0].FeatureSet.DefinitionDigest))
        {
            throw new ArgumentException("Datasets to combine must be at least one and share one feature definition set.", nameof(parts));
        }

        return new TrainingDataset(
            parts[0].FeatureSet,
            [.. parts.SelectMany(p => p._eventIds)],
            [.. parts.SelectMany(p => p._tsUtcMicros)],
            [.. parts.SelectMany(p => p._labels)],
            [.. parts.SelectMany(p => p._features)]);
    }

    public string EventId(int row) => _eventIds[row];

    public long TsUtcMicros(int row) => _tsUtcMicros[row];

    public bool Label(int row) => _labels[row];

    public ReadOnlySpan<float> Features(int row) => _features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public TrainingDataset Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var width = FeatureCount;
        var features = new float[indices.Count * width];
        for (var i = 0; i < indices.Count; i++)
        {
            Features(indices[i]).CopyTo(features.AsSpan(i * width, width));
        }

        return new TrainingDataset(
            FeatureSet,
            [.. indices.Select(i => _eventIds[i])],
            [.. indices.Select(i => _tsUtcMicros[i])],
            [.. indices.Select(i => _labels[i])],
            features);
    }
}
