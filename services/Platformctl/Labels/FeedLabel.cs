using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platformctl.Produce.Contracts;

namespace Platformctl.Labels;

/// <summary>
/// One label assertion as the feed posts it to cm (<c>schemas/labels/label_assertion.v0.schema.json</c>): the subject,
/// the label and its own observed_time and effective_time from the producer's ground truth. No actor fields: the feed
/// is EXTERNAL because its credential says so, not because the body does.
/// </summary>
public sealed record FeedAssertion(
    string PlatformRunId,
    string EventId,
    string LabelType,
    string Value,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset EffectiveTime,
    string TaxonomyVersion)
{
    public static FeedAssertion From(LabelRecord label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return new(label.PlatformRunId, label.EventId, label.LabelType, label.Value, label.ObservedTime, label.EffectiveTime, label.TaxonomyVersion);
    }

    /// <summary>The exact bytes posted, every attempt: canonical JSON, so a retry is the same assertion byte for byte.</summary>
    public EncodedLabel Encode() => new(EventId, CanonicalJson.Serialize(this));
}

/// <summary>One assertion ready to send: its subject's event_id and its canonical JSON.</summary>
public sealed record EncodedLabel(string EventId, byte[] Json);

/// <summary>Reads the producer's label files (NDJSON of <see cref="LabelRecord"/>, one per line).</summary>
public static class LabelFiles
{
    public const string FilePattern = "labels_*.ndjson";

    /// <summary><paramref name="path"/> itself when it is a file, else its <see cref="FilePattern"/> files in name order.</summary>
    public static IReadOnlyList<string> Resolve(string path) =>
        File.Exists(path) ? [path]
        : Directory.Exists(path) ? [.. Directory.EnumerateFiles(path, FilePattern).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>Every label of the files, in file order; throws <see cref="InvalidDataException"/> naming the line of a bad one.</summary>
    public static IReadOnlyList<LabelRecord> Read(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var labels = new List<LabelRecord>();
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    labels.Add(JsonSerializer.Deserialize<LabelRecord>(line, PlatformJson.Options) ?? throw new JsonException("JSON null"));
                }
                catch (JsonException exception)
                {
                    throw new InvalidDataException($"{file}:{number}: not a label record ({exception.Message})", exception);
                }
            }
        }

        return labels;
    }
}
