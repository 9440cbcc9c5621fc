using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace FeatureStore.Tests.Service;

/// <summary>Envelopes as IG publishes them, their partition keys, and what OFS stored, read straight from the backends.</summary>
internal static partial class StreamRecords
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

    /// <summary>The bytes of an object, or null when there is none.</summary>
    public static async Task<byte[]?> BytesAsync(string key)
    {
        try
        {
            using var response = await S3.Value.GetObjectAsync(BackendEnvironment.Current.S3Bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Writes an object straight into the bucket, past OFS and its sidecar (what another process left behind).</summary>
    public static async Task PutAsync(string key, byte[] content, string contentType)
    {
        using var body = new MemoryStream(content, writable: false);
        // s3rver stores an aws-chunked body as sent, framing and all.
        await S3.Value.PutObjectAsync(new PutObjectRequest { BucketName = BackendEnvironment.Current.S3Bucket, Key = key, InputStream = body, ContentType = contentType, UseChunkEncoding = false });
    }

    /// <summary>
    /// What OFS archived for one stream of a run, read straight from S3 by the test's own reading of the layout
    /// (segments <c>&lt;run&gt;/archive/&lt;stream&gt;/&lt;day&gt;/&lt;first&gt;__&lt;last&gt;__&lt;sha256&gt;.ndjson.gz</c>, spool
    /// <c>&lt;run&gt;/archive/&lt;stream&gt;/spool/&lt;name&gt;.json</c>). Fails on anything else under the stream, on a
    /// segment whose bytes do not match the digest its key names, whose records are not of its day, out of name order
    /// or outside its span, and on two copies of a name with different envelopes. Objects still being written (s3rver
    /// shows them empty) or deleted since the listing are left out.
    /// </summary>
    public static async Task<ArchivedStream> ArchiveAsync(string runId, string stream)
    {
        var prefix = $"{runId}/archive/{stream}/";
        var segments = new List<ArchivedSegment>();
        var spool = new List<string>();
        var records = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var copies = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = await KeysAsync(prefix);
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            var rest = key[prefix.Length..];
            if (SegmentKey().Match(rest) is { Success: true } segment)
            {
                if (await SegmentRecordsAsync(key, segment) is { } held)
                {
                    segments.Add(new ArchivedSegment(key, segment.Groups["day"].Value, segment.Groups["first"].Value, segment.Groups["last"].Value, held.Bytes, [.. held.Records.Select(r => r.Name)]));
                    foreach (var (name, record) in held.Records)
                    {
                        Add(name, record);
                    }
                }
            }
            else if (SpoolKey().Match(rest) is { Success: true } spooled)
            {
                if (await BytesAsync(key) is { Length: > 0 } bytes)
                {
                    var record = JsonSerializer.Deserialize<JsonElement>(bytes);
                    Assert.Equal(spooled.Groups["name"].Value, NameOf(record));
                    spool.Add(spooled.Groups["name"].Value);
                    Add(spooled.Groups["name"].Value, record);
                }
            }
            else
            {
                Assert.Fail($"{key} is neither a segment nor a spool object of {prefix}");
            }
        }

        return new ArchivedStream(segments, spool, records, copies);

        void Add(string name, JsonElement record)
        {
            if (records.TryGetValue(name, out var first))
            {
                Assert.Equal(first.GetProperty("envelope").GetRawText(), record.GetProperty("envelope").GetRawText());
            }
            else
            {
                records[name] = record;
            }

            copies[name] = copies.GetValueOrDefault(name) + 1;
        }
    }

    /// <summary>An archive record's name: its envelope's ts_utc to the microsecond, then its eb_ref offset (IG's publish id).</summary>
    public static string NameOf(JsonElement record) =>
        KeyTime(UtcTimestamp.Parse(record.GetProperty("envelope").GetProperty("ts_utc").GetString()!)) + "_" + record.GetProperty("eb_ref").GetProperty("offset").GetString();

    /// <summary>Waits until the stream's spool is empty and its segments hold at least <paramref name="count"/> records.</summary>
    public static async Task<ArchivedStream> CompactedAsync(string runId, string stream, int count)
    {
        ArchivedStream archive = null!;
        await Eventually.WaitAsync($"{count} records of {runId}/{stream} compacted", async () =>
        {
            archive = await ArchiveAsync(runId, stream);
            return archive.Spool.Count == 0 && archive.Records.Count >= count;
        });
        return archive;
    }

    /// <summary>The segment's records in file order, or null while it is being written.</summary>
    private static async Task<(long Bytes, List<(string Name, JsonElement Record)> Records)?> SegmentRecordsAsync(string key, Match segment)
    {
        if (await BytesAsync(key) is not { Length: > 0 } bytes)
        {
            return null;
        }

        Assert.True(Convert.ToHexStringLower(SHA256.HashData(bytes)) == segment.Groups["sha"].Value, $"{key}: its bytes do not match the SHA-256 its key names");
        using var inflated = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(inflated);
        }

        var text = Encoding.UTF8.GetString(inflated.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var records = text[..^1].Split('\n').Select(line => JsonSerializer.Deserialize<JsonElement>(line)).Select(r => (Name: NameOf(r), Record: r)).ToList();
        var names = records.Select(r => r.Name).ToList();
        Assert.Equal(segment.Groups["first"].Value, names[0]);
        Assert.Equal(segment.Groups["last"].Value, names[^1]);
        Assert.All(names, name => Assert.StartsWith(segment.Groups["day"].Value, name, StringComparison.Ordinal));
        Assert.True(names.Zip(names.Skip(1)).All(pair => string.CompareOrdinal(pair.First, pair.Second) < 0), $"{key}: records not in strict name order");
        return (bytes.LongLength, records);
    }

    [GeneratedRegex("^(?<day>[0-9]{8})/(?<first>[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32})__(?<last>[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32})__(?<sha>[0-9a-f]{64})\\.ndjson\\.gz$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentKey();

    [GeneratedRegex("^spool/(?<name>[0-9]{8}T[0-9]{12}Z_[0-9a-f]{32})\\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex SpoolKey();

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

/// <summary>One segment as the test read it: key, day folder, span, object size and the names it holds in file order.</summary>
internal sealed record ArchivedSegment(string Key, string Day, string FirstName, string LastName, long Bytes, IReadOnlyList<string> Names);

/// <summary>
/// A run's stream in the archive: its segments, the names still in its spool, one record per name (the first copy
/// read: segments in key order, then the spool) and how many copies of each name exist.
/// </summary>
internal sealed record ArchivedStream(
    IReadOnlyList<ArchivedSegment> Segments,
    IReadOnlyList<string> Spool,
    IReadOnlyDictionary<string, JsonElement> Records,
    IReadOnlyDictionary<string, int> Copies)
{
    /// <summary>The records in name order (event time, then publish id).</summary>
    public IEnumerable<JsonElement> InNameOrder => Records.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value);
}
