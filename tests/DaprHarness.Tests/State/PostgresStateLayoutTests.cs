using DaprHarness.Components;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Testing;

namespace DaprHarness.Tests.State;

/// <summary>
/// What the harness leaves in PostgreSQL, which real daprd reads later: the v2 table layout, the migration
/// bookkeeping, concurrent creation by several sidecars, TTL cleanup and start-up validation. Source:
/// components-contrib release-1.17 state/postgresql/v2/postgresql.go (performMigrations, Init's garbage collector),
/// v2/metadata.go and common/component/sql/{migrations.go,cleanup.go,migrations/postgres/postgres_migrations.go}.
/// </summary>
public sealed class PostgresStateLayoutTests(IgStateFixture fixture) : IClassFixture<IgStateFixture>, IDisposable
{
    private readonly TempFiles _files = new();

    // Migration 1 (CREATE TABLE) + migration 2 (row_id identity, 1.17).
    private static readonly (string Column, string Type, bool Nullable, string? Default, bool Identity)[] V2Columns =
    [
        ("key", "text", false, null, false),
        ("value", "bytea", false, null, false),
        ("etag", "uuid", false, "gen_random_uuid()", false),
        ("created_at", "timestamp with time zone", false, "now()", false),
        ("updated_at", "timestamp with time zone", true, null, false),
        ("expires_at", "timestamp with time zone", true, null, false),
        ("row_id", "bigint", false, null, true),
    ];

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Ig_admission_table_has_the_v2_layout()
    {
        Assert.NotNull(fixture.Ig);
        Assert.Equal(V2Columns, await ColumnsAsync("ig_admission_state"));

        var indexes = await IndexesAsync("ig_admission_state");
        Assert.Contains(indexes, i => i.Definition.Contains("UNIQUE INDEX ig_admission_state_pkey ON public.ig_admission_state USING btree (key)", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Definition.EndsWith("ON public.ig_admission_state USING btree (expires_at)", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Name == "ig_admission_state_row_id_uidx" && i.Definition.Contains("UNIQUE", StringComparison.Ordinal));

        Assert.Equal([("key", "text", false, null, false), ("value", "text", false, null, false)], await ColumnsAsync("dapr_metadata"));
        Assert.Equal("2", await StateTestResources.MetadataValueAsync("dapr_metadata", "migrations-state-v2-ig_admission_"));
        Assert.Equal("lock", await StateTestResources.MetadataValueAsync("dapr_metadata", "lock"));
    }

    // Several sidecars start at once on a new store: the metadata-table race is retried, the row lock serialises the
    // migrations, and every sidecar starts.
    [Fact]
    public async Task Concurrent_sidecars_create_the_tables_once()
    {
        var prefix = StateTestResources.UniquePrefix("conc");
        var metadataTable = prefix + "meta";
        var resources = _files.Resources(("store.yaml",
            StateTestResources.PostgresStore("concurrent-store", prefix, [], ("metadataTableName", metadataTable))));
        var sidecars = new List<HarnessInstance>();
        try
        {
            var starts = Enumerable.Range(0, 4).Select(i => HarnessInstance.StartAsync($"conc-{i}", resources)).ToList();
            try
            {
                await Task.WhenAll(starts);
            }
            finally
            {
                sidecars.AddRange(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            }

            Assert.Equal(4, sidecars.Count);
            Assert.Equal(V2Columns, await ColumnsAsync(prefix + "state"));
            Assert.Equal("2", await StateTestResources.MetadataValueAsync(metadataTable, "migrations-state-v2-" + prefix));
            Assert.Equal(3, (await IndexesAsync(prefix + "state")).Count);
            await sidecars[0].Client.SaveStateAsync("concurrent-store", "k", new Admission("a", 1));
            Assert.Equal(new Admission("a", 1), await sidecars[0].Client.GetStateAsync<Admission>("concurrent-store", "k"));
        }
        finally
        {
            foreach (var sidecar in sidecars)
            {
                await sidecar.DisposeAsync();
            }

            await StateTestResources.ExecuteAsync($"DROP TABLE IF EXISTS {prefix}state; DROP TABLE IF EXISTS {metadataTable}");
        }
    }

    // A table left by a 1.16 sidecar (migration level 1, no row_id) gets migration 2: row_id backfilled in
    // (created_at, key) order, then an identity continuing after the highest value.
    [Fact]
    public async Task Table_from_migration_level_1_gets_the_row_id_migration()
    {
        var prefix = StateTestResources.UniquePrefix("upg");
        var metadataTable = prefix + "meta";
        await StateTestResources.ExecuteAsync($"""
            CREATE TABLE {metadataTable} (key text NOT NULL PRIMARY KEY, value text NOT NULL);
            INSERT INTO {metadataTable} VALUES ('migrations-state-v2-{prefix}', '1');
            CREATE TABLE {prefix}state (key text NOT NULL PRIMARY KEY, value bytea NOT NULL, etag uuid NOT NULL DEFAULT gen_random_uuid(),
              created_at timestamp with time zone NOT NULL DEFAULT now(), updated_at timestamp with time zone, expires_at timestamp with time zone);
            CREATE INDEX ON {prefix}state (expires_at);
            INSERT INTO {prefix}state (key, value, created_at) VALUES
              ('upg||newer', '\x7b7d', now() - interval '1 minute'), ('upg||older', '\x7b7d', now() - interval '2 minutes');
            """);
        var resources = _files.Resources(("store.yaml",
            StateTestResources.PostgresStore("upgraded", prefix, [], ("metadataTableName", metadataTable))));
        try
        {
            await using var app = await HarnessInstance.StartAsync("upg", resources);
            await app.Client.SaveStateAsync("upgraded", "added", new Admission("a", 1));

            Assert.Equal(V2Columns, await ColumnsAsync(prefix + "state"));
            Assert.Equal("2", await StateTestResources.MetadataValueAsync(metadataTable, "migrations-state-v2-" + prefix));
            await using var db = await StateTestResources.OpenDatabaseAsync();
            await using var rows = new NpgsqlCommand($"SELECT key FROM {prefix}state ORDER BY row_id", db);
            await using var reader = await rows.ExecuteReaderAsync();
            var keys = new List<string>();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }

            Assert.Equal(["upg||older", "upg||newer", "upg||added"], keys);
        }
        finally
        {
            await StateTestResources.ExecuteAsync($"DROP TABLE IF EXISTS {prefix}state; DROP TABLE IF EXISTS {metadataTable}");
        }
    }

    // Expired rows are hidden at once but stay until the cleanup runs; with cleanupInterval 0 it never runs.
    [Fact]
    public async Task Expired_rows_stay_in_the_table_until_cleanup()
    {
        var prefix = StateTestResources.UniquePrefix("nogc");
        var resources = _files.Resources(("store.yaml",
            StateTestResources.PostgresStore("no-cleanup", prefix, [], ("cleanupInterval", "0"))));
        try
        {
            await using var app = await HarnessInstance.StartAsync("nogc", resources);
            await app.Client.SaveStateAsync("no-cleanup", "k", new Admission("a", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });

            await Poll.UntilAsync(async () => await app.Client.GetStateAsync<Admission>("no-cleanup", "k") is null, "the row to expire", TimeSpan.FromSeconds(10));
            var row = await StateTestResources.RawRowAsync(prefix + "state", "nogc||k");
            Assert.NotNull(row);
            Assert.True(row.Value.ExpiresAt < DateTime.UtcNow);

            // A write without ETag replaces the expired row, even with first-write (it only refuses live rows).
            await app.Client.SaveStateAsync("no-cleanup", "k", new Admission("b", 2), new Dapr.Client.StateOptions { Concurrency = Dapr.Client.ConcurrencyMode.FirstWrite });
            Assert.Equal(new Admission("b", 2), await app.Client.GetStateAsync<Admission>("no-cleanup", "k"));
        }
        finally
        {
            await StateTestResources.DropStoreAsync(prefix);
        }
    }

    // The cleanup claims its run in the metadata table (last-cleanup-state-v2-<prefix>) and deletes expired rows.
    [Fact]
    public async Task Cleanup_deletes_expired_rows_and_records_its_run()
    {
        var prefix = StateTestResources.UniquePrefix("gc");
        var metadataTable = prefix + "meta";
        var resources = _files.Resources(("store.yaml",
            StateTestResources.PostgresStore("gc-store", prefix, [], ("cleanupInterval", "1s"), ("metadataTableName", metadataTable))));
        try
        {
            await using var app = await HarnessInstance.StartAsync("gc", resources);
            await app.Client.SaveStateAsync("gc-store", "expiring", new Admission("a", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });
            await app.Client.SaveStateAsync("gc-store", "kept", new Admission("b", 2));
            Assert.NotNull(await StateTestResources.RawRowAsync(prefix + "state", "gc||expiring"));

            await Poll.UntilAsync(async () => await StateTestResources.RawRowAsync(prefix + "state", "gc||expiring") is null, "the cleanup to delete the expired row", TimeSpan.FromSeconds(15));

            Assert.NotNull(await StateTestResources.RawRowAsync(prefix + "state", "gc||kept"));
            var lastCleanup = await StateTestResources.MetadataValueAsync(metadataTable, "last-cleanup-state-v2-" + prefix);
            Assert.NotNull(lastCleanup);
            await using var db = await StateTestResources.OpenDatabaseAsync();
            await using var age = new NpgsqlCommand($"SELECT now() - value::timestamptz FROM {metadataTable} WHERE key = $1", db);
            age.Parameters.Add(new NpgsqlParameter { Value = "last-cleanup-state-v2-" + prefix });
            Assert.InRange((TimeSpan)(await age.ExecuteScalarAsync())!, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        }
        finally
        {
            await StateTestResources.ExecuteAsync($"DROP TABLE IF EXISTS {prefix}state; DROP TABLE IF EXISTS {metadataTable}");
        }
    }

    [Theory]
    [InlineData("version: v2", "version: v1", "spec.version")]
    [InlineData("type: state.postgresql", "type: state.postgres", null)]
    [InlineData("    - name: tablePrefix", "    - name: useAzureAD\n      value: \"true\"\n    - name: tablePrefix", "useAzureAD")]
    [InlineData("    - name: tablePrefix", "    - name: keyPrefix\n      value: \"a||b\"\n    - name: tablePrefix", "keyPrefix")]
    [InlineData("    - name: tablePrefix", "    - name: timeout\n      value: \"500ms\"\n    - name: tablePrefix", "timeout")]
    [InlineData("    - name: tablePrefix", "    - name: queryExecMode\n      value: \"fast\"\n    - name: tablePrefix", "queryExecMode")]
    public async Task Start_up_validates_the_component(string find, string replace, string? failingField)
    {
        var prefix = StateTestResources.UniquePrefix("cfg");
        var yaml = StateTestResources.PostgresStore("checked-store", prefix, []).Replace(find, replace, StringComparison.Ordinal);
        var resources = _files.Resources(("store.yaml", yaml));
        try
        {
            var build = HarnessHost.BuildAsync(Args("cfg", resources), name => BackendEnvironment.Current.Values.GetValueOrDefault(name));
            if (failingField is null)
            {
                // state.postgres is an alias of state.postgresql.
                await using var host = await build;
                var components = host.Services.GetRequiredService<HarnessRuntime>().Components;
                Assert.True(components.TryGet<IStateStoreComponent>("checked-store", out _));
                await components.DisposeAsync();
                return;
            }

            var e = await Assert.ThrowsAsync<HarnessStartupException>(() => build);
            Assert.Contains(failingField, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            await StateTestResources.DropStoreAsync(prefix);
        }
    }

    // common/authentication/postgresql buildConnectionString: the individual fields override the connection string.
    [Fact]
    public async Task Connection_fields_override_the_connection_string()
    {
        var prefix = StateTestResources.UniquePrefix("conn");
        var pg = new NpgsqlConnectionStringBuilder(BackendEnvironment.Current.PostgresConnection);
        var yaml = $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: field-store
            spec:
              type: state.postgresql
              version: v2
              metadata:
                - name: connectionString
                  value: "host=127.0.0.1 port=1 user=nobody dbname={pg.Database} sslmode=disable"
                - name: port
                  value: "{pg.Port}"
                - name: user
                  value: "{pg.Username}"
                - name: password
                  envRef: HARNESS_TEST_PG_PASSWORD
                - name: tablePrefix
                  value: {prefix}
                - name: timeoutInSeconds
                  value: "5"
                - name: cleanupInterval
                  value: "-1"
            """;
        var resources = _files.Resources(("store.yaml", yaml));
        try
        {
            await using var app = await HarnessInstance.StartAsync("conn", resources,
                environment: new Dictionary<string, string> { ["HARNESS_TEST_PG_PASSWORD"] = pg.Password! });
            await app.Client.SaveStateAsync("field-store", "k", new Admission("a", 1));
            Assert.NotNull(await StateTestResources.RawRowAsync(prefix + "state", "conn||k"));
        }
        finally
        {
            await StateTestResources.DropStoreAsync(prefix);
        }
    }

    // pkg/runtime/processor/state/state.go: a second actorStateStore fails with "detected duplicate actor state store".
    [Fact]
    public async Task Two_actor_state_stores_are_refused()
    {
        var (p1, p2) = (StateTestResources.UniquePrefix("act1"), StateTestResources.UniquePrefix("act2"));
        var resources = _files.Resources(
            ("a.yaml", StateTestResources.PostgresStore("actors-a", p1, [], ("actorStateStore", "true"))),
            ("b.yaml", StateTestResources.PostgresStore("actors-b", p2, [], ("actorStateStore", "yes"))));
        try
        {
            var e = await Assert.ThrowsAsync<HarnessStartupException>(() =>
                HarnessHost.BuildAsync(Args("actors", resources), name => BackendEnvironment.Current.Values.GetValueOrDefault(name)));
            Assert.Contains("detected duplicate actor state store: actors-a and actors-b", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            await StateTestResources.DropStoreAsync(p1);
            await StateTestResources.DropStoreAsync(p2);
        }
    }

    private static string[] Args(string appId, string resources) => HarnessInstance.DaprdArgs(appId, FreePort.Next(), FreePort.Next(), resources, null);

    private static async Task<List<(string, string, bool, string?, bool)>> ColumnsAsync(string table)
    {
        await using var db = await StateTestResources.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("""
            SELECT column_name, data_type, is_nullable = 'YES', column_default, is_identity = 'YES'
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position
            """, db);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<(string, string, bool, string?, bool)>();
        while (await reader.ReadAsync())
        {
            columns.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetBoolean(4)));
        }

        return columns;
    }

    private static async Task<List<(string Name, string Definition)>> IndexesAsync(string table)
    {
        await using var db = await StateTestResources.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1", db);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        return indexes;
    }
}
