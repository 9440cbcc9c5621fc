using System.Text;

namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>One row of a state.postgresql v2 table, read with Npgsql.</summary>
internal sealed record StateRow(string Json, Guid ETag, DateTimeOffset? UpdatedAt, DateTimeOffset? ExpiresAt)
{
    public static async Task<StateRow?> ReadAsync(string table, string storedKey)
    {
        await using var command = Backends.Database.CreateCommand($"SELECT value, etag, updated_at, expires_at FROM {table} WHERE key = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = storedKey });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new StateRow(
            Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0)),
            reader.GetGuid(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
    }
}
