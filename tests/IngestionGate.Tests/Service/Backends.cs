using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;
using Platform.Substrate.BuildingBlocks;
using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>
/// Reads what IG really wrote, straight from the backing services and not through IG or a sidecar: the
/// <c>ig-admission</c> table (state.postgresql v2: <c>ig_admission_state</c>, keys <c>ig||&lt;key&gt;</c>), the
/// object store bucket, and the harness's Kinesis table (<c>harness_kinesis_records</c>).
/// </summary>
internal static class Backends
{
    private const string KeyPrefix = "ig||";

    private static readonly Lazy<NpgsqlDataSource> SharedDatabase = new(() => NpgsqlDataSource.Create(BackendEnvironment.Current.PostgresConnection));

    private static readonly Lazy<AmazonS3Client> SharedS3 = new(BackendEnvironment.Current.S3Client);

    private static NpgsqlDataSource Database => SharedDatabase.Value;

    /// <summary>A sidecar for app <c>ig</c> on components/local_parity, reading the tests' secrets file.</summary>
    public static Task<HarnessInstance> StartSidecarAsync(string appId = "ig", string? resourcesPath = null, int? appPort = null) =>
        HarnessInstance.StartAsync(
            appId, resourcesPath, appPort, new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = TestSecrets.FilePath });

    /// <summary>The stored JSON of an <c>ig-admission</c> key, or null.</summary>
    public static async Task<JsonElement?> StateAsync(string key)
    {
        await using var command = Database.CreateCommand("SELECT value FROM ig_admission_state WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())");
        command.Parameters.Add(new NpgsqlParameter { Value = KeyPrefix + key });
        return await command.ExecuteScalarAsync() is byte[] value ? JsonSerializer.Deserialize<JsonElement>(value) : null;
    }

    /// <summary>
    /// Every <c>ig-admission</c> row that a request about <paramref name="platformRunId"/> could have written: the given
    /// keys (admission rows), the run's segment, and receipt index entries pointing into the run.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RowsOfRunAsync(string platformRunId, IEnumerable<string> keys)
    {
        await using var command = Database.CreateCommand("""
            SELECT key FROM ig_admission_state
            WHERE key = ANY($1) OR key = $2
               OR (key LIKE 'ig||receipt/%' AND position($3 in convert_from(value, 'UTF8')) > 0)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => KeyPrefix + k).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = KeyPrefix + "run_segment/" + platformRunId });
        command.Parameters.Add(new NpgsqlParameter { Value = platformRunId + "/" });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>Object keys under <paramref name="prefix"/>.</summary>
    public static async Task<IReadOnlyList<string>> ObjectKeysAsync(string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = BackendEnvironment.Current.S3Bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await SharedS3.Value.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys;
    }

    /// <summary>An object's bytes, or null when there is none.</summary>
    public static async Task<byte[]?> ObjectAsync(string key)
    {
        try
        {
            using var response = await SharedS3.Value.GetObjectAsync(BackendEnvironment.Current.S3Bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The records on <paramref name="stream"/> with <paramref name="partitionKey"/>, in shard order.</summary>
    public static async Task<IReadOnlyList<byte[]>> StreamRecordsAsync(EventStream stream, string partitionKey)
    {
        await using var command = Database.CreateCommand("""
            SELECT data FROM harness_kinesis_records WHERE stream_name = $1 AND partition_key = $2
            ORDER BY shard_id, sequence_number
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = stream.StreamName });
        command.Parameters.Add(new NpgsqlParameter { Value = partitionKey });
        var records = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            records.Add(reader.GetFieldValue<byte[]>(0));
        }

        return records;
    }
}
