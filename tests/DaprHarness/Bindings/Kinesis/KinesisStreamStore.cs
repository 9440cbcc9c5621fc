using Npgsql;

namespace DaprHarness.Bindings.Kinesis;

/// <summary>
/// Kinesis streams, their records and KCL-style consumer checkpoints and shard leases, kept durably in the
/// harness's PostgreSQL database so they survive harness restarts and are shared by every harness on the machine.
/// </summary>
/// <remarks>
/// Sequence numbers are allocated per shard by incrementing the shard row inside the insert's transaction, so the
/// row lock orders commits and a reader never sees a later sequence number before an earlier one of the same shard.
/// </remarks>
internal sealed class KinesisStreamStore(NpgsqlDataSource db)
{
    /// <summary>Most records one group commit carries (a few MiB at typical record sizes).</summary>
    private const int MaxGroupRecords = 500;

    /// <summary>Shards of a stream the harness creates on first use; real streams are provisioned by IaC.</summary>
    public const int DefaultShardCount = 2;

    /// <summary>NOTIFY channel announcing new records; the payload is the stream name.</summary>
    public const string NotifyChannel = "harness_kinesis";

    /// <summary>Kinesis' default retention: older records (of every stream) are trimmed whenever a harness opens a stream.</summary>
    private const string Retention = "24 hours";

    /// <summary>KCL's default GetRecords limits (MaxRecords 10000) and Kinesis' 10 MiB per GetRecords call.</summary>
    private const int BatchRecords = 10_000;

    private const int BatchBytes = 10 * 1024 * 1024;

    // Records waiting for the next group commit, and whether a drain loop is writing them.
    private readonly Queue<PendingPut> _pending = new();
    private bool _draining;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS harness_kinesis_streams (
            stream_name text PRIMARY KEY,
            shard_count integer NOT NULL CHECK (shard_count BETWEEN 1 AND 64),
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS harness_kinesis_shards (
            stream_name text NOT NULL REFERENCES harness_kinesis_streams ON DELETE CASCADE,
            shard_id integer NOT NULL,
            last_sequence bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (stream_name, shard_id));
        CREATE TABLE IF NOT EXISTS harness_kinesis_records (
            stream_name text NOT NULL,
            shard_id integer NOT NULL,
            sequence_number bigint NOT NULL,
            partition_key text NOT NULL,
            data bytea NOT NULL,
            arrived_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (stream_name, shard_id, sequence_number),
            FOREIGN KEY (stream_name, shard_id) REFERENCES harness_kinesis_shards ON DELETE CASCADE);
        CREATE INDEX IF NOT EXISTS harness_kinesis_records_arrived_at ON harness_kinesis_records (arrived_at);
        CREATE TABLE IF NOT EXISTS harness_kinesis_checkpoints (
            stream_name text NOT NULL,
            consumer_name text NOT NULL,
            shard_id integer NOT NULL,
            sequence_number bigint NOT NULL,
            lease_owner text,
            lease_expires_at timestamptz,
            PRIMARY KEY (stream_name, consumer_name, shard_id),
            FOREIGN KEY (stream_name, shard_id) REFERENCES harness_kinesis_shards ON DELETE CASCADE);
        """;

    /// <summary>Creates the tables once per database; harnesses starting together serialise on an advisory lock.</summary>
    public static async Task EnsureSchemaAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('harness_kinesis_schema'))", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand(Schema, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the stream on first use with the shard count of its <c>harness_kinesis_streams</c> row (inserted here
    /// with <see cref="DefaultShardCount"/> unless a test or script inserted it first), trims records past the
    /// retention period and returns the number of shards.
    /// </summary>
    public async Task<int> OpenStreamAsync(string stream, CancellationToken cancellationToken)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(BatchCommand(
            "INSERT INTO harness_kinesis_streams (stream_name, shard_count) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            stream, DefaultShardCount));
        // Shards are created once; a later change of shard_count would move keys between shards, so it is ignored.
        batch.BatchCommands.Add(BatchCommand("""
            INSERT INTO harness_kinesis_shards (stream_name, shard_id)
            SELECT s.stream_name, g FROM harness_kinesis_streams s, generate_series(0, s.shard_count - 1) g
            WHERE s.stream_name = $1 AND NOT EXISTS (SELECT 1 FROM harness_kinesis_shards WHERE stream_name = $1)
            ON CONFLICT DO NOTHING
            """, stream));
        batch.BatchCommands.Add(BatchCommand(
            $"DELETE FROM harness_kinesis_records WHERE arrived_at < now() - interval '{Retention}'"));
        batch.BatchCommands.Add(BatchCommand("SELECT count(*)::integer FROM harness_kinesis_shards WHERE stream_name = $1", stream));
        return (int)(await batch.ExecuteScalarAsync(cancellationToken) ?? 0);
    }

    /// <summary>
    /// PutRecord: appends to the shard and wakes the stream's consumers; returns the sequence number once the record
    /// is committed. Concurrent calls are committed together (group commit): while one statement runs, the records
    /// that arrive queue up and go out in the next one, in arrival order, so records of one partition key keep the
    /// order of their calls and each call still returns only after its record is durable.
    /// </summary>
    public Task<long> PutRecordAsync(string stream, int shard, string partitionKey, byte[] data, CancellationToken cancellationToken)
    {
        var put = new PendingPut(stream, shard, partitionKey, data);
        bool drain;
        lock (_pending)
        {
            _pending.Enqueue(put);
            drain = !_draining;
            _draining = true;
        }

        if (drain)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        // A caller that gives up stops waiting; the record may still be written (as when a PutRecord call times out).
        return put.Sequence.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued, one group at a time, until the queue is empty.</summary>
    private async Task DrainAsync()
    {
        while (true)
        {
            List<PendingPut> group;
            lock (_pending)
            {
                if (_pending.Count == 0)
                {
                    _draining = false;
                    return;
                }

                group = new List<PendingPut>(Math.Min(_pending.Count, MaxGroupRecords));
                while (group.Count < MaxGroupRecords && _pending.TryDequeue(out var put))
                {
                    group.Add(put);
                }
            }

            try
            {
                await AppendAsync(group);
            }
            catch (Exception exception)
            {
                foreach (var put in group)
                {
                    put.Sequence.TrySetException(exception);
                }
            }
        }
    }

    /// <summary>
    /// One implicit transaction: per shard (in shard order, so two harnesses never lock shard rows in opposite orders)
    /// one statement that reserves a run of sequence numbers and inserts the shard's records in arrival order, then
    /// one NOTIFY per stream, sent when the records commit.
    /// </summary>
    private async Task AppendAsync(List<PendingPut> group)
    {
        var shards = group.GroupBy(p => (p.Stream, p.Shard)).OrderBy(g => g.Key.Stream, StringComparer.Ordinal).ThenBy(g => g.Key.Shard).ToList();
        await using var batch = db.CreateBatch();
        foreach (var shard in shards)
        {
            batch.BatchCommands.Add(BatchCommand("""
                WITH next AS (
                    UPDATE harness_kinesis_shards SET last_sequence = last_sequence + cardinality($3::text[])
                    WHERE stream_name = $1 AND shard_id = $2 RETURNING last_sequence)
                INSERT INTO harness_kinesis_records (stream_name, shard_id, sequence_number, partition_key, data)
                SELECT $1, $2, next.last_sequence - cardinality($3::text[]) + r.ord, r.partition_key, r.data
                FROM next, unnest($3::text[], $4::bytea[]) WITH ORDINALITY AS r(partition_key, data, ord)
                RETURNING sequence_number
                """, shard.Key.Stream, shard.Key.Shard, shard.Select(p => p.PartitionKey).ToArray(), shard.Select(p => p.Data).ToArray()));
        }

        foreach (var stream in shards.Select(s => s.Key.Stream).Distinct(StringComparer.Ordinal))
        {
            batch.BatchCommands.Add(BatchCommand("SELECT pg_notify($1, $2)", NotifyChannel, stream));
        }

        var assigned = new List<List<long>>(shards.Count);
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken.None))
        {
            foreach (var _ in shards)
            {
                var sequences = new List<long>();
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    sequences.Add(reader.GetInt64(0));
                }

                sequences.Sort();
                assigned.Add(sequences);
                await reader.NextResultAsync(CancellationToken.None);
            }
        }

        // Reaching here means the batch committed: every record is durable.
        for (var i = 0; i < shards.Count; i++)
        {
            var records = shards[i].ToList();
            if (assigned[i].Count != records.Count)
            {
                var missing = new InvalidOperationException($"stream {shards[i].Key.Stream} has no shard {shards[i].Key.Shard}");
                records.ForEach(p => p.Sequence.TrySetException(missing));
                continue;
            }

            for (var j = 0; j < records.Count; j++)
            {
                records[j].Sequence.TrySetResult(assigned[i][j]);
            }
        }
    }

    /// <summary>
    /// A consumer that has never existed starts at LATEST (KCL's default initial position): its checkpoint is each
    /// shard's newest sequence number now. Existing consumers keep their checkpoints. Returns the other stream that
    /// already uses <paramref name="consumer"/> (nothing is registered then), else null: KCL keeps leases and
    /// checkpoints in a DynamoDB table named after the consumer, keyed by shard id alone, so two streams sharing a
    /// consumerName would overwrite each other's checkpoints.
    /// </summary>
    public async Task<string?> RegisterConsumerAsync(string stream, string consumer, CancellationToken cancellationToken)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(BatchCommand(
            "SELECT pg_advisory_xact_lock(hashtext('harness_kinesis_consumer:' || $1))", consumer));
        batch.BatchCommands.Add(BatchCommand("""
            INSERT INTO harness_kinesis_checkpoints (stream_name, consumer_name, shard_id, sequence_number)
            SELECT stream_name, $2, shard_id, last_sequence FROM harness_kinesis_shards
            WHERE stream_name = $1
              AND NOT EXISTS (SELECT 1 FROM harness_kinesis_checkpoints WHERE consumer_name = $2 AND stream_name <> $1)
            ON CONFLICT DO NOTHING
            """, stream, consumer));
        batch.BatchCommands.Add(BatchCommand(
            "SELECT min(stream_name) FROM harness_kinesis_checkpoints WHERE consumer_name = $2 AND stream_name <> $1",
            stream, consumer));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        // The advisory lock's result set comes first.
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.IsDBNull(0) ? null : reader.GetString(0);
    }

    /// <summary>
    /// Takes or renews the leases of every shard that is free, expired or already ours, and returns those shards
    /// with their checkpoints.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, long>> AcquireLeasesAsync(
        string stream, string consumer, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            UPDATE harness_kinesis_checkpoints
            SET lease_owner = $3, lease_expires_at = now() + make_interval(secs => $4)
            WHERE stream_name = $1 AND consumer_name = $2
              AND (lease_owner IS NULL OR lease_owner = $3 OR lease_expires_at < now())
            RETURNING shard_id, sequence_number
            """, stream, consumer, owner, duration.TotalSeconds);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        command.Connection = connection;
        var leased = new Dictionary<int, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            leased[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return leased;
    }

    /// <summary>The next GetRecords batch after <paramref name="after"/>: at most 10000 records and about 10 MiB, in order.</summary>
    public async Task<IReadOnlyList<(long Sequence, byte[] Data)>> ReadBatchAsync(
        string stream, int shard, long after, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            SELECT sequence_number, data FROM (
                SELECT sequence_number, data,
                       sum(octet_length(data)) OVER (ORDER BY sequence_number) - octet_length(data) AS bytes_before
                FROM (SELECT sequence_number, data FROM harness_kinesis_records
                      WHERE stream_name = $1 AND shard_id = $2 AND sequence_number > $3
                      ORDER BY sequence_number LIMIT {BatchRecords}) r) w
            WHERE bytes_before < {BatchBytes}
            ORDER BY sequence_number
            """, stream, shard, after);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        command.Connection = connection;
        var records = new List<(long, byte[])>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add((reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        }

        return records;
    }

    /// <summary>Moves the checkpoint; false when the lease is no longer ours (another worker took the shard).</summary>
    public async Task<bool> CheckpointAsync(
        string stream, string consumer, int shard, string owner, long sequence, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            UPDATE harness_kinesis_checkpoints SET sequence_number = $5
            WHERE stream_name = $1 AND consumer_name = $2 AND shard_id = $3 AND lease_owner = $4
            """, stream, consumer, shard, owner, sequence);
        return await ExecuteAsync(command, cancellationToken) == 1;
    }

    /// <summary>Gives up our leases so another harness (or our restart) takes the shards over at once.</summary>
    public async Task ReleaseLeasesAsync(string stream, string consumer, string owner, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            UPDATE harness_kinesis_checkpoints SET lease_owner = NULL, lease_expires_at = NULL
            WHERE stream_name = $1 AND consumer_name = $2 AND lease_owner = $3
            """, stream, consumer, owner);
        await ExecuteAsync(command, cancellationToken);
    }

    /// <summary>Calls <paramref name="onRecords"/> whenever records are added to <paramref name="stream"/>, until cancelled.</summary>
    public async Task ListenAsync(string stream, Action onRecords, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, e) =>
        {
            if (e.Payload == stream)
            {
                onRecords();
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        while (true)
        {
            await connection.WaitAsync(cancellationToken);
        }
    }

    private async Task<int> ExecuteAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        command.Connection = connection;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private sealed record PendingPut(string Stream, int Shard, string PartitionKey, byte[] Data)
    {
        public TaskCompletionSource<long> Sequence { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
