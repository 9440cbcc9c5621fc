using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Platform.Testing;

namespace DaprHarness.Tests.State;

/// <summary>
/// Components for the state tests and direct PostgreSQL access to check what the harness stored (what real daprd
/// would read later).
/// </summary>
internal static partial class StateTestResources
{
    private const string StateStoreFiles = "ig-admission.yaml,rtdl-state.yaml,cm-store.yaml,mpr-store.yaml,workflow-state.yaml";

    private static readonly Lazy<string> LocalParityStores = new(CopyLocalParityStateStores);

    /// <summary>
    /// The real local_parity state store files (names, table prefixes, scopes, timeouts, actorStateStore unchanged),
    /// with only the connection string taken from PLATFORM_PG_DSN instead of the secret store: the same DSN the
    /// secret holds, without depending on the secret store component.
    /// </summary>
    public static string LocalParityStateStoresPath => LocalParityStores.Value;

    /// <summary>A state.postgresql component whose connection string comes from PLATFORM_PG_DSN.</summary>
    public static string PostgresStore(string name, string tablePrefix, IReadOnlyList<string> scopes, params (string Name, string Value)[] metadata) =>
        ComponentYaml.Component(name, "state.postgresql", "v2", [("tablePrefix", tablePrefix), .. metadata], scopes,
            envRefs: [("connectionString", "PLATFORM_PG_DSN")]);

    /// <summary>A table prefix no other test uses.</summary>
    public static string UniquePrefix(string label) => $"t_{label}_{Guid.NewGuid():N}"[..30] + "_";

    public static async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(BackendEnvironment.Current.PostgresConnection);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The raw v2 row for a stored key (value, etag, expires_at), or null.</summary>
    public static async Task<(byte[] Value, Guid ETag, DateTime? ExpiresAt)?> RawRowAsync(string table, string storedKey)
    {
        await using var db = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand($"SELECT value, etag, expires_at FROM {table} WHERE key = $1", db);
        command.Parameters.Add(new NpgsqlParameter { Value = storedKey });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return (reader.GetFieldValue<byte[]>(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2));
    }

    public static async Task<string?> MetadataValueAsync(string metadataTable, string key)
    {
        await using var db = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand($"SELECT value FROM {metadataTable} WHERE key = $1", db);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return await command.ExecuteScalarAsync() as string;
    }

    public static async Task ExecuteAsync(string sql)
    {
        await using var db = await OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Removes a test store: its state table and its rows in the metadata table.</summary>
    public static Task DropStoreAsync(string tablePrefix, string metadataTable = "dapr_metadata") => ExecuteAsync($"""
        DROP TABLE IF EXISTS {tablePrefix}state;
        DELETE FROM {metadataTable} WHERE key IN ('migrations-state-v2-{tablePrefix}', 'last-cleanup-state-v2-{tablePrefix}')
        """);

    [GeneratedRegex(@"    - name: connectionString\n      secretKeyRef:\n        name: postgres-connection-string\n        key: postgres-connection-string\n")]
    private static partial Regex SecretConnectionString();

    [GeneratedRegex(@"auth:\n  secretStore: secretstore\n")]
    private static partial Regex AuthSecretStore();

    private static string CopyLocalParityStateStores()
    {
        // Shared by every test of the run, so it stays for the process's lifetime.
        var dir = Directory.CreateTempSubdirectory("daprharness-state-stores-").FullName;
        foreach (var file in StateStoreFiles.Split(','))
        {
            var yaml = File.ReadAllText(Path.Combine(RepoPaths.Components("local_parity"), file)).ReplaceLineEndings("\n");
            if (!SecretConnectionString().IsMatch(yaml) || !AuthSecretStore().IsMatch(yaml))
            {
                throw new InvalidOperationException($"{file} no longer takes its connection string from the secret store as these tests expect");
            }

            yaml = SecretConnectionString().Replace(yaml, "    - name: connectionString\n      envRef: PLATFORM_PG_DSN\n");
            File.WriteAllText(Path.Combine(dir, file), AuthSecretStore().Replace(yaml, ""));
        }

        return dir;
    }
}
