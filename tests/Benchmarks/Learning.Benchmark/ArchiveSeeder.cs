using System.Text.Json;
using System.Text.Json.Nodes;
using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace Learning.Benchmark;

/// <summary>
/// Turns generated transactions into the archive OFS builds from: one <see cref="ArchiveRecord"/> per transaction, with
/// the envelope IG would have published, cut into segments by the code the archive writer's compactor uses
/// (<see cref="ArchiveSegments.Encode"/>), as if the writer had archived the whole stream.
/// </summary>
internal static class ArchiveSeeder
{
    public static IReadOnlyList<EncodedSegment> Segments(string platformRunId, IReadOnlyList<SyntheticTransaction> transactions, DateTimeOffset archivedAtUtc)
    {
        var stream = PlatformNames.Streams.Traffic;
        var records = new NamedRecord[transactions.Count];
        Parallel.For(0, transactions.Count, i =>
        {
            var e = transactions[i].Event;
            var payload = new JsonObject
            {
                ["transaction_id"] = "t-" + e.EventId,
                ["account_id"] = e.AccountId,
                ["card_id"] = e.CardId,
                ["merchant_id"] = e.MerchantId,
                ["flow_id"] = e.AccountId,
                ["amount"] = e.AmountMinor / 100m,
                ["currency"] = "EUR",
                ["mcc"] = "5411",
                ["channel"] = "ecommerce",
                ["device_id"] = e.DeviceId,
            };
            var envelope = JsonSerializer.SerializeToElement(new JsonObject
            {
                ["event_id"] = e.EventId,
                ["event_type"] = "transaction",
                ["ts_utc"] = UtcTimestamp.Format(e.TsUtc),
                ["manifest_fingerprint"] = new string('a', 64),
                ["parameter_hash"] = new string('b', 64),
                ["platform_run_id"] = platformRunId,
                ["scenario_run_id"] = new string('c', 32),
                ["scenario_id"] = "learning-benchmark",
                ["seed"] = 7,
                ["schema_version"] = "v1",
                ["payload"] = payload,
            });
            var publishId = Digests.Hex32(Digests.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(platformRunId + ":" + e.EventId)));
            var record = new ArchiveRecord(
                ArchiveRecord.Version,
                envelope,
                new OriginEbRef(stream.StreamName, Digests.Of(JsonSerializer.SerializeToElement(e.AccountId)), publishId, OriginEbRef.IgPublishId),
                PayloadHash.Of("transaction", "v1", envelope.GetProperty("payload")),
                archivedAtUtc);
            records[i] = new NamedRecord(ArchiveKeys.RecordName(e.TsUtc, publishId), JsonSerializer.SerializeToUtf8Bytes(record, PlatformJson.Options));
        });
        return ArchiveSegments.Encode(platformRunId, stream, records);
    }
}
