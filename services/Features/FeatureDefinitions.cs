using System.Security.Cryptography;
using System.Text.Json;

namespace Platform.Features;

/// <summary>The entity a feature aggregates over; <see cref="Transaction"/> is the scored transaction itself.</summary>
public enum FeatureEntity
{
    Transaction,
    Account,
    Merchant,
    Card,
}

/// <summary>What a feature computes over its entity's earlier transactions inside its window.</summary>
public enum FeatureAggregate
{
    /// <summary>The scored transaction's own amount (known at decision time: an input, not an aggregate of other events).</summary>
    Amount,
    Count,
    Sum,

    /// <summary>Sum / count; missing (null) when the window holds no transaction.</summary>
    Mean,

    /// <summary>Distinct device_id values.</summary>
    DistinctDevices,

    /// <summary>Seconds from the latest earlier transaction to this one; missing when there is none inside the window.</summary>
    SecondsSinceLast,
}

/// <summary>The column type of a feature in the vector schema (and in OFS's Parquet datasets).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The columnar type names the schema uses (int64, float64).")]
public enum FeatureValueType
{
    Int64,
    Float64,
}

/// <summary>One named, typed column of the feature vector.</summary>
public sealed record FeatureSpec(string Name, FeatureValueType Type, FeatureEntity Entity, FeatureAggregate Aggregate, TimeSpan Window)
{
    /// <summary>Whether a value may be missing (an empty window has no mean and no latest transaction).</summary>
    public bool Nullable => Aggregate is FeatureAggregate.Mean or FeatureAggregate.SecondsSinceLast;
}

/// <summary>
/// A versioned feature definition set: the ordered vector schema plus the point-in-time rules every value obeys.
/// <see cref="DefinitionDigest"/> pins both, so a DatasetManifest and a bundle can name exactly what they were built
/// with; any change to a feature, its order or the rules is a new digest (and must be a new version).
/// </summary>
public sealed class FeatureSetDefinition
{
    public FeatureSetDefinition(string featureSetId, string featureSetVersion, IReadOnlyList<FeatureSpec> features, TimeSpan allowedLateness)
    {
        ArgumentException.ThrowIfNullOrEmpty(featureSetId);
        ArgumentException.ThrowIfNullOrEmpty(featureSetVersion);
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count == 0 || features.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != features.Count)
        {
            throw new ArgumentException("A feature set needs at least one feature and unique names.", nameof(features));
        }

        if (features.Any(f => f.Entity != FeatureEntity.Transaction && f.Window <= TimeSpan.Zero))
        {
            throw new ArgumentException("Every aggregate needs a positive window.", nameof(features));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(allowedLateness, TimeSpan.Zero);
        FeatureSetId = featureSetId;
        FeatureSetVersion = featureSetVersion;
        Features = features;
        AllowedLateness = allowedLateness;
        Horizon = features.Max(f => f.Window);
        DefinitionDigest = ComputeDigest();
    }

    public string FeatureSetId { get; }

    public string FeatureSetVersion { get; }

    /// <summary>The vector schema: names and types in vector order.</summary>
    public IReadOnlyList<FeatureSpec> Features { get; }

    /// <summary>
    /// How late (behind the newest event of an entity) an event may arrive online and still be counted exactly; state
    /// older than the longest window plus this is evicted.
    /// </summary>
    public TimeSpan AllowedLateness { get; }

    /// <summary>The longest window.</summary>
    public TimeSpan Horizon { get; }

    /// <summary>Lowercase hex SHA-256 over the canonical JSON (sorted keys, no whitespace) of the definition.</summary>
    public string DefinitionDigest { get; }

    public int IndexOf(string name)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (string.Equals(Features[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"Feature set {FeatureSetId}/{FeatureSetVersion} has no feature '{name}'.");
    }

    private string ComputeDigest()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            // Members in ordinal order and only ASCII strings and integers: this is the RFC 8785 form.
            json.WriteStartObject();
            json.WriteNumber("allowed_lateness_seconds", (long)AllowedLateness.TotalSeconds);
            json.WriteString("feature_set_id", FeatureSetId);
            json.WriteString("feature_set_version", FeatureSetVersion);
            json.WriteStartArray("features");
            foreach (var feature in Features)
            {
                json.WriteStartObject();
                json.WriteString("aggregate", Wire(feature.Aggregate.ToString()));
                json.WriteString("entity", Wire(feature.Entity.ToString()));
                json.WriteString("name", feature.Name);
                json.WriteBoolean("nullable", feature.Nullable);
                json.WriteString("type", Wire(feature.Type.ToString()));
                json.WriteNumber("window_seconds", (long)feature.Window.TotalSeconds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("point_in_time_rule", PointInTime.Rule);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static string Wire(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

/// <summary>The one point-in-time rule, stated once: it is part of the definition digest.</summary>
public static class PointInTime
{
    /// <summary>
    /// A transaction at t sees an earlier event at e iff t - window &lt; e &lt; t: strictly before (an event at the same
    /// instant, the transaction itself included, never counts) and strictly inside the window.
    /// </summary>
    public const string Rule = "event_ts > ts_utc - window AND event_ts < ts_utc";
}
