using System.Text.Json.Serialization;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>How <see cref="EbRef.Offset"/> is to be read.</summary>
public enum OffsetKind
{
    /// <summary>IG's publish id (hex32 of H(dedupe_key + ":" + attempt)): Dapr's Kinesis binding reports no sequence number.</summary>
    [JsonStringEnumMemberName("ig_publish_id")]
    IgPublishId = 1,

    /// <summary>A Kinesis sequence number, should a binding version ever report one.</summary>
    [JsonStringEnumMemberName("kinesis_sequence")]
    KinesisSequence = 2,
}

/// <summary>
/// <c>eb_ref{stream, partition, offset, offset_kind, published_at_utc}</c>: where an admitted event sits on the bus.
/// <c>partition</c> is the Kinesis partition key. See IG's design notes for why the offset is IG's publish id.
/// </summary>
public sealed record EbRef(
    string Stream,
    string Partition,
    string Offset,
    OffsetKind OffsetKind,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset PublishedAtUtc)
{
    /// <summary>The eb_ref of a publish that succeeded under <paramref name="publishId"/>.</summary>
    public static EbRef ForPublish(EventBusPublishResult published, string publishId)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentException.ThrowIfNullOrEmpty(publishId);
        var publishedAt = UtcTimestamp.Truncate(published.PublishedAtUtc);
        return published.SequenceNumber is { } sequenceNumber
            ? new EbRef(published.Stream, published.PartitionKey, sequenceNumber, OffsetKind.KinesisSequence, publishedAt)
            : new EbRef(published.Stream, published.PartitionKey, publishId, OffsetKind.IgPublishId, publishedAt);
    }
}
