using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>
/// One archived stream record (schemas/ofs/archive_record.v1.schema.json): the envelope exactly as the bus carried it,
/// where IG published it (<see cref="EbRef"/>), its payload_hash and when OFS made it durable.
/// </summary>
public sealed record ArchiveRecord(
    string SchemaVersion,
    JsonElement Envelope,
    OriginEbRef EbRef,
    PayloadHash PayloadHash,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ArchivedAtUtc)
{
    public const string Version = "ofs.archive_record.v1";
}

/// <summary>
/// The origin eb_ref of an archived record, as IG's admission row names it: <c>stream</c>, <c>partition</c> (IG's
/// partition key), <c>offset</c> (IG's publish id) and <c>offset_kind</c> <c>ig_publish_id</c>. Dapr's Kinesis binding
/// delivers record bytes only, so a consumer derives these from the envelope the way IG derived them; IG's
/// <c>published_at_utc</c> is not on the bus and stays in IG's receipt.
/// </summary>
public sealed record OriginEbRef(string Stream, string Partition, string Offset, string OffsetKind)
{
    public const string IgPublishId = "ig_publish_id";
}
