namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>What the harness's Kinesis emulation (PostgreSQL) holds for a stream: the records containing a marker.</summary>
internal static class StreamRecords
{
    public static async Task<IReadOnlyList<(string PartitionKey, int Shard, byte[] Data)>> ContainingAsync(string stream, string marker)
    {
        await using var command = Backends.Database.CreateCommand("""
            SELECT partition_key, shard_id, data FROM harness_kinesis_records
            WHERE stream_name = $1 AND position($2 in data) > 0
            ORDER BY shard_id, sequence_number
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = stream });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetBytes(marker) });
        var records = new List<(string, int, byte[])>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            records.Add((reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<byte[]>(2)));
        }

        return records;
    }
}
