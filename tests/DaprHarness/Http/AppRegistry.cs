using Npgsql;

namespace DaprHarness.Http;

/// <summary>Where another app's sidecar (harness) listens.</summary>
public sealed record SidecarAddress(string Host, int HttpPort, int GrpcPort);

/// <summary>
/// Name resolution between harnesses, in place of daprd's mDNS resolver: each harness upserts
/// <c>{namespace, app_id} → host, ports</c> into a table of the harness database when it starts, refreshes a
/// heartbeat while it runs and deletes its row when it stops. Rows whose heartbeat is older than
/// <see cref="Stale"/> (a harness that crashed) are ignored. Several harnesses with one app id are replicas; a
/// lookup picks one at random, as daprd picks among resolved addresses.
/// </summary>
public sealed class AppRegistry(HarnessRuntime runtime)
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(20);

    private const string Table = "harness_app_registry";

    private readonly Guid _instance = Guid.NewGuid();
    private bool _tableReady;

    private string Namespace => runtime.Flags.Namespace ?? ServiceInvocation.DefaultNamespace;

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"DELETE FROM {Table} WHERE heartbeat < now() - make_interval(secs => $1)")
                {
                    Parameters = { new NpgsqlParameter { Value = (Stale * 3).TotalSeconds } },
                },
                new NpgsqlBatchCommand(
                    $"""
                     INSERT INTO {Table} (namespace, app_id, instance_id, host, http_port, grpc_port, heartbeat)
                     VALUES ($1, $2, $3, $4, $5, $6, now())
                     ON CONFLICT (namespace, app_id, instance_id) DO UPDATE SET heartbeat = now()
                     """)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = Namespace },
                        new NpgsqlParameter { Value = runtime.Flags.AppId },
                        new NpgsqlParameter { Value = _instance },
                        new NpgsqlParameter { Value = "127.0.0.1" },
                        new NpgsqlParameter { Value = runtime.Flags.DaprHttpPort },
                        new NpgsqlParameter { Value = runtime.Flags.DaprGrpcPort },
                    },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Removes this harness's row and closes the idle connections of the harness database: every harness
    /// registers, and the pools of many stopped in-process harnesses would exhaust PostgreSQL's max_connections.
    /// </summary>
    public async Task UnregisterAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var command = new NpgsqlCommand($"DELETE FROM {Table} WHERE instance_id = $1", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _instance });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        NpgsqlConnection.ClearPool(connection);
    }

    /// <summary>A live sidecar of <paramref name="appId"/> in <paramref name="namespace"/>, or null when none runs.</summary>
    public async Task<SidecarAddress?> ResolveAsync(string appId, string @namespace, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
             SELECT host, http_port, grpc_port FROM {Table}
             WHERE namespace = $1 AND app_id = $2 AND heartbeat >= now() - make_interval(secs => $3)
             ORDER BY random() LIMIT 1
             """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = @namespace });
        command.Parameters.Add(new NpgsqlParameter { Value = appId });
        command.Parameters.Add(new NpgsqlParameter { Value = Stale.TotalSeconds });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new SidecarAddress(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2))
            : null;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await runtime.Context.HarnessDatabase.OpenConnectionAsync(cancellationToken);
        if (!_tableReady)
        {
            // The lock keeps harnesses that start together from racing on CREATE TABLE IF NOT EXISTS.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock(hashtext('{Table}'))", connection, transaction))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var command = new NpgsqlCommand(
                             $"""
                              CREATE TABLE IF NOT EXISTS {Table} (
                                  namespace text NOT NULL,
                                  app_id text NOT NULL,
                                  instance_id uuid NOT NULL,
                                  host text NOT NULL,
                                  http_port integer NOT NULL,
                                  grpc_port integer NOT NULL,
                                  heartbeat timestamptz NOT NULL,
                                  PRIMARY KEY (namespace, app_id, instance_id));
                              """, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _tableReady = true;
        }

        return connection;
    }
}
