using System.Globalization;
using Npgsql;

namespace DaprHarness.State;

/// <summary>
/// Creates the v2 tables exactly as components-contrib release-1.17 does at component init, so real daprd can take
/// over the same database later (state/postgresql/v2/postgresql.go performMigrations;
/// common/component/sql/migrations/postgres/postgres_migrations.go; common/component/sql/migrations.go):
/// <list type="bullet">
/// <item>metadata table <c>(key text PK, value text)</c>, created with IF NOT EXISTS and retried on the duplicate-type
/// race of concurrent creators;</item>
/// <item>a row-level lock (<c>SELECT … FOR UPDATE</c> on the <c>lock</c> row in a transaction that is always rolled
/// back) so concurrent sidecars migrate one at a time;</item>
/// <item>the migration level under key <c>migrations-state-v2-&lt;tablePrefix&gt;</c>; migration 1 creates the state
/// table and its <c>expires_at</c> index, migration 2 (1.17) adds the <c>row_id</c> identity column and its unique index.</item>
/// </list>
/// </summary>
public static class PostgresStateMigrations
{
    private const string UniqueViolation = "23505";

    public static async Task PerformAsync(NpgsqlDataSource db, PostgresStateOptions options, CancellationToken cancellationToken)
    {
        var meta = options.MetadataTableName;
        await EnsureMetadataTableAsync(db, meta, cancellationToken);
        await ExecuteAsync(db, $"INSERT INTO {meta} (key, value) VALUES ('lock', 'lock') ON CONFLICT (key) DO NOTHING", cancellationToken);

        await using var lockConnection = await db.OpenConnectionAsync(cancellationToken);
        await using var lockTransaction = await lockConnection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var acquire = new NpgsqlCommand($"SELECT value FROM {meta} WHERE key = 'lock' FOR UPDATE", lockConnection, lockTransaction))
            {
                await acquire.ExecuteScalarAsync(cancellationToken);
            }

            var levelKey = "migrations-state-v2-" + options.TablePrefix;
            var level = await ReadLevelAsync(db, meta, levelKey, cancellationToken);
            Func<NpgsqlDataSource, string, CancellationToken, Task>[] migrations = [CreateStateTableAsync, AddRowIdAsync];
            for (var i = level; i < migrations.Length; i++)
            {
                await migrations[i](db, options.StateTable, cancellationToken);
                await ExecuteAsync(db,
                    $"INSERT INTO {meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
                    cancellationToken, levelKey, (i + 1).ToString(CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            // The lock transaction never commits: rolling back releases the row lock.
            await lockTransaction.RollbackAsync(CancellationToken.None);
        }
    }

    private static async Task EnsureMetadataTableAsync(NpgsqlDataSource db, string meta, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(db, $"CREATE TABLE IF NOT EXISTS {meta} (key text NOT NULL PRIMARY KEY, value text NOT NULL)", cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == UniqueViolation && attempt < 3)
            {
                // Two sidecars creating the table at once: one gets a duplicate pg_type row; retry.
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    private static async Task<int> ReadLevelAsync(NpgsqlDataSource db, string meta, string levelKey, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"SELECT value FROM {meta} WHERE key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = levelKey });
        var raw = await command.ExecuteScalarAsync(cancellationToken) as string;
        if (raw is null)
        {
            return 0;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var level)
            ? level
            : throw new InvalidOperationException($"invalid migration level found in metadata table: {raw}");
    }

    private static async Task CreateStateTableAsync(NpgsqlDataSource db, string table, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(db, $"""
                CREATE TABLE IF NOT EXISTS {table} (
                  key text NOT NULL PRIMARY KEY,
                  value bytea NOT NULL,
                  etag uuid NOT NULL DEFAULT gen_random_uuid(),
                  created_at timestamp with time zone NOT NULL DEFAULT now(),
                  updated_at timestamp with time zone,
                  expires_at timestamp with time zone
                );
                CREATE INDEX ON {table} (expires_at);
                """, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            // Lost the creation race to another sidecar: the table exists.
        }
    }

    /// <summary>Migration 2: <c>row_id bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY</c>, backfilled by (created_at, key).</summary>
    private static async Task AddRowIdAsync(NpgsqlDataSource db, string table, CancellationToken cancellationToken)
    {
        string relation, quoted, regName;
        await using (var resolve = db.CreateCommand("""
            SELECT c.relname, format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1)
            """))
        {
            resolve.Parameters.Add(new NpgsqlParameter { Value = table });
            await using var reader = await resolve.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException($"resolve table OID: table \"{table}\" not found");
            }

            (relation, quoted, regName) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }

        await ExecuteAsync(db, $"ALTER TABLE {quoted} ADD COLUMN IF NOT EXISTS row_id BIGINT", cancellationToken);
        await ExecuteAsync(db, $"""
            UPDATE {quoted} AS t SET row_id = r.rn
            FROM (SELECT key, ROW_NUMBER() OVER (ORDER BY created_at ASC, key ASC) AS rn FROM {quoted} WHERE row_id IS NULL) r
            WHERE r.key = t.key
            """, cancellationToken);
        await ExecuteAsync(db, $"ALTER TABLE {quoted} ALTER COLUMN row_id SET NOT NULL", cancellationToken);
        await using (var isIdentity = db.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'row_id' AND attidentity <> '')"))
        {
            isIdentity.Parameters.Add(new NpgsqlParameter { Value = table });
            if (await isIdentity.ExecuteScalarAsync(cancellationToken) is not true)
            {
                await ExecuteAsync(db, $"ALTER TABLE {quoted} ALTER COLUMN row_id ADD GENERATED BY DEFAULT AS IDENTITY", cancellationToken);
            }
        }

        await ExecuteAsync(db,
            $"SELECT setval(pg_get_serial_sequence($1, 'row_id'), COALESCE((SELECT MAX(row_id) FROM {quoted}), 0) + 1, false)",
            cancellationToken, regName);
        var index = "\"" + (relation + "_row_id_uidx").Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await ExecuteAsync(db, $"CREATE UNIQUE INDEX IF NOT EXISTS {index} ON {quoted} (row_id)", cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
