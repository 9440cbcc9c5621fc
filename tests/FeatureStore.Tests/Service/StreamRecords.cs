using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace FeatureStore.Tests.Service;

/// <summary>Envelopes as IG publishes them, their partition keys, and what OFS stored, read straight from the backends.</summary>
internal static class StreamRecords
{
    private static readonly Lazy<AmazonS3Client> S3 = new(() => BackendEnvironment.Current.S3Client());
    private static readonly Lazy<NpgsqlDataSource> Database = new(() => NpgsqlDataSource.Create(BackendEnvironment.Current.PostgresConnection));

    public static string FreshRunId() =>
        PlatformRunId.Mint(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.NextInt64(0, 98L * 365 * 24 * 3600)));

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static JsonObject Transaction(string runId, string eventId, string flowId, DateTimeOffset ts, double amount = 42.5) => new()
    {
        ["event_id"] = eventId,
        ["event_type"] = "transaction",
        ["ts_utc"] = UtcTimestamp.Format(ts),
        ["manifest_fingerprint"] = new string('a', 64),
        ["parameter_hash"] = new string('b', 64),
        ["platform_run_id"] = runId,
        ["scenario_run_id"] = new string('c', 32),
        ["scenario_id"] = "ofs-tests",
        ["seed"] = 7,
        ["schema_version"] = "v1",
        ["payload"] = new JsonObject
        {
            ["transaction_id"] = "t-" + eventId,
            ["account_id"] = "acct-" + flowId,
            ["card_id"] = "card-" + flowId,
            ["merchant_id"] = "merch-1",
            ["flow_id"] = flowId,
            ["amount"] = amount,
            ["currency"] = "EUR",
            ["mcc"] = "5411",
            ["channel"] = "ecommerce",
            ["device_id"] = "dev-" + flowId,
        },
    };

    public static JsonObject FlowAnchor(string runId, string eventId, string flowId, DateTimeOffset ts) => new()
    {
        ["event_id"] = eventId,
        ["event_type"] = "flow_anchor",
        ["ts_utc"] = UtcTimestamp.Format(ts),
        ["manifest_fingerprint"] = new string('a', 64),
        ["parameter_hash"] = new string('b', 64),
        ["platform_run_id"] = runId,
        ["scenario_run_id"] = new string('c', 32),
        ["scenario_id"] = "ofs-tests",
        ["seed"] = 7,
        ["schema_version"] = "v1",
        ["payload"] = new JsonObject
        {
            ["flow_id"] = flowId,
            ["account_id"] = "acct-" + flowId,
            ["device_id"] = "dev-" + flowId,
            ["channel"] = "ecommerce",
            ["session_started_at_utc"] = UtcTimestamp.Format(ts),
            ["ip_country"] = "DE",
        },
    };

    /// <summary>The bytes IG puts on the bus: the envelope in RFC 8785 canonical form.</summary>
    public static byte[] Bytes(JsonObject envelope) => CanonicalJson.Serialize(JsonSerializer.SerializeToElement(envelope));

    /// <summary>IG's partition key for a flow: hex of H(flow_id) (the first path of both profiles).</summary>
    public static string PartitionKey(string flowId) => Digests.Of(JsonSerializer.SerializeToElement(flowId));

    /// <summary>IG's publish id of the first attempt: hex32 of H(dedupe_key + ":1"), dedupe_key = SHA-256 of "run:class:event_id".</summary>
    public static string PublishId(string runId, string eventClass, string eventId)
    {
        var dedupeKey = Digests.Sha256Hex(Encoding.UTF8.GetBytes($"{runId}:{eventClass}:{eventId}"));
        return Digests.Hex32(Digests.Of(JsonSerializer.SerializeToElement($"{dedupeKey}:1")));
    }

    public static string KeyTime(DateTimeOffset ts) => UtcTimestamp.Truncate(ts).ToString("yyyyMMdd'T'HHmmssffffff'Z'", CultureInfo.InvariantCulture);

    public static async Task<IReadOnlyList<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = BackendEnvironment.Current.S3Bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await S3.Value.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys;
    }

    public static async Task<JsonElement?> ObjectAsync(string key)
    {
        try
        {
            using var response = await S3.Value.GetObjectAsync(BackendEnvironment.Current.S3Bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            // s3rver shows a new key before its bytes are written: an empty object is one still being written.
            return buffer.Length == 0 ? null : JsonSerializer.Deserialize<JsonElement>(buffer.ToArray());
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A value OFS saved in <c>workflow-state</c> (state.postgresql v2, table workflow_state_state, keys <c>ofs||…</c>).</summary>
    public static async Task<JsonElement?> FallbackStateAsync(string key)
    {
        await using var command = Database.Value.CreateCommand("SELECT value FROM workflow_state_state WHERE key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = "ofs||" + key });
        return await command.ExecuteScalarAsync() is byte[] value ? JsonSerializer.Deserialize<JsonElement>(value) : null;
    }

    public static Task PublishAsync(this IEventBus bus, EventStream stream, string partitionKey, byte[] record) =>
        bus.PublishAsync(stream, partitionKey, record, CancellationToken.None);
}
