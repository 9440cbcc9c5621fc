using System.Globalization;
using DaprHarness.Components;
using Npgsql;

namespace DaprHarness.State;

/// <summary>
/// <c>state.postgresql</c> v2 on real PostgreSQL, following components-contrib release-1.17
/// state/postgresql/v2/postgresql.go: values are raw bytes in a BYTEA column; every write sets a fresh random UUID
/// ETag; a write with an ETag is an UPDATE of a live row with that ETag and never inserts; a write without one is an
/// upsert (with first-write concurrency it may only replace an expired row); TTL (request metadata
/// <c>ttlInSeconds</c>) sets <c>expires_at</c>, expired rows are invisible at once and deleted by a background
/// cleanup every <c>cleanupInterval</c>.
/// </summary>
public class PostgresStateStore : IStateStoreComponent
{
    private const string TtlMetadataKey = "ttlInSeconds";

    private readonly NpgsqlDataSource _db;
    private readonly PostgresStateOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _cleanup;

    protected PostgresStateStore(string name, PostgresStateOptions options, NpgsqlDataSource db, HarnessContext context)
    {
        Name = name;
        _options = options;
        _db = db;
        _logger = context.LoggerFactory.CreateLogger($"DaprHarness.State.{name}");
        _cleanup = options.CleanupInterval is { } interval
            ? Task.Run(() => CleanupLoopAsync(interval, context.Clock, _stopping.Token))
            : Task.CompletedTask;
    }

    public string Name { get; }

    public StateKeyPrefix KeyPrefix => _options.KeyPrefix;

    /// <summary>Features of the v2 store (ETag, transactional, TTL, keys-like) plus ACTOR, which daprd adds for ETag + transactions.</summary>
    public IReadOnlyList<string> Capabilities => ["ETAG", "TRANSACTIONAL", "TTL", "KEYS_LIKE", "ACTOR"];

    private string Table => _options.StateTable;

    /// <summary>Connects (ping within <c>timeout</c>), runs the migrations and starts the cleanup, as the component's Init does.</summary>
    public static async Task<PostgresStateStore> OpenAsync(string name, PostgresStateOptions options, HarnessContext context, CancellationToken cancellationToken)
    {
        var db = NpgsqlDataSource.Create(options.PoolConnectionString);
        try
        {
            using (var ping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                ping.CancelAfter(options.Timeout);
                await using var connection = await db.OpenConnectionAsync(ping.Token);
            }

            await PostgresStateMigrations.PerformAsync(db, options, cancellationToken);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }

        return options.ActorStateStore
            ? new PostgresActorStateStore(name, options, db, context)
            : new PostgresStateStore(name, options, db, context);
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (key.Length == 0)
        {
            throw new InvalidOperationException("missing key in get operation");
        }

        using var timeout = Timeout(cancellationToken);
        await using var command = _db.CreateCommand(
            $"SELECT value, etag, expires_at FROM {Table} WHERE key = $1 AND (expires_at IS NULL OR expires_at >= now())");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(timeout.Token);
        return await reader.ReadAsync(timeout.Token) ? ReadEntry(reader, 0) : null;
    }

    public async Task<IReadOnlyList<(string Key, StateEntry? Entry)>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var results = new List<(string, StateEntry?)>(keys.Count);
        if (keys.Count == 0)
        {
            return results;
        }

        using var timeout = Timeout(cancellationToken);
        await using var command = _db.CreateCommand(
            $"SELECT key, value, etag, expires_at FROM {Table} WHERE key = ANY($1) AND (expires_at IS NULL OR expires_at >= now())");
        command.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray() });
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(timeout.Token))
        {
            while (await reader.ReadAsync(timeout.Token))
            {
                var key = reader.GetString(0);
                results.Add((key, ReadEntry(reader, 1)));
                found.Add(key);
            }
        }

        // Missing keys follow the found rows, one result per requested occurrence (as v2's BulkGet does).
        results.AddRange(keys.Where(k => !found.Contains(k)).Select(k => (k, (StateEntry?)null)));
        return results;
    }

    public Task SetAsync(StateSet request, CancellationToken cancellationToken) => ExecuteAsync([request], cancellationToken);

    public Task DeleteAsync(StateDelete request, CancellationToken cancellationToken) => ExecuteAsync([request], cancellationToken);

    /// <summary>One operation runs on its own; several run in one PostgreSQL transaction, rolled back on the first failure.</summary>
    public Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken) =>
        operations.Count == 0 ? Task.CompletedTask : ExecuteAsync(operations, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _cleanup;
        _stopping.Dispose();
        await _db.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The operations' statements go to PostgreSQL in one round trip (a batch; for several operations inside an
    /// explicit transaction), then each statement's row count is checked in order, as the component checks them one
    /// by one: the first that changed no row fails the call and the transaction is rolled back. The outcome is the
    /// component's (all applied, or none and the first failure); only the number of round trips differs.
    /// </summary>
    private async Task ExecuteAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        // Invalid requests (missing key, malformed ETag or TTL) fail before anything is sent, as in the component.
        var statements = operations.Select(Statement).ToList();
        using var timeout = Timeout(cancellationToken);
        await using var connection = await _db.OpenConnectionAsync(timeout.Token);
        await using var transaction = operations.Count > 1 ? await connection.BeginTransactionAsync(timeout.Token) : null;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (command, _) in statements)
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(timeout.Token);
        foreach (var (command, check) in statements)
        {
            check(command.RecordsAffected);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(timeout.Token);
        }
    }

    private (NpgsqlBatchCommand Command, Action<int> Check) Statement(StateOperation operation) => operation switch
    {
        StateSet set => SetStatement(set),
        StateDelete delete => DeleteStatement(delete),
        _ => throw new InvalidOperationException($"unsupported operation: {operation.GetType().Name}"),
    };

    private (NpgsqlBatchCommand, Action<int>) SetStatement(StateSet request)
    {
        if (request.Key.Length == 0)
        {
            throw new InvalidOperationException("missing key in set operation");
        }

        var ttl = ParseTtl(request.Metadata);
        var expiresAt = ttl > 0 ? $"now() + interval '{ttl.ToString(CultureInfo.InvariantCulture)} seconds'" : "NULL";
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = request.Key });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Value });
        if (request.HasETag)
        {
            // A write with an ETag only ever updates a live row carrying that ETag.
            command.Parameters.Add(new NpgsqlParameter { Value = ParseETag(request.ETag!) });
            command.CommandText = $"""
                UPDATE {Table} SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = {expiresAt}
                WHERE key = $1 AND etag = $3 AND (expires_at IS NULL OR expires_at >= now())
                """;
        }
        else
        {
            // Upsert; with first-write the existing row may only be replaced once it has expired.
            var onlyExpired = request.FirstWrite ? " WHERE t.expires_at IS NOT NULL AND t.expires_at < now()" : "";
            command.CommandText = $"""
                INSERT INTO {Table} AS t (key, value, etag, expires_at) VALUES ($1, $2, gen_random_uuid(), {expiresAt})
                ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = {expiresAt}{onlyExpired}
                """;
        }

        return (command, affected =>
        {
            if (affected != 1)
            {
                throw request.HasETag ? new StateETagMismatchException() : new InvalidOperationException("no item was updated");
            }
        }
        );
    }

    private (NpgsqlBatchCommand, Action<int>) DeleteStatement(StateDelete request)
    {
        if (request.Key.Length == 0)
        {
            throw new InvalidOperationException("missing key in delete operation");
        }

        var command = new NpgsqlBatchCommand($"DELETE FROM {Table} WHERE key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = request.Key });
        if (request.HasETag)
        {
            // Unlike writes, a delete with an ETag does not look at expires_at.
            command.Parameters.Add(new NpgsqlParameter { Value = ParseETag(request.ETag!) });
            command.CommandText += " AND etag = $2";
        }

        return (command, affected =>
        {
            if (affected != 1 && request.HasETag)
            {
                throw new StateETagMismatchException();
            }
        }
        );
    }

    /// <summary>
    /// Every cleanupInterval: claim the run in the metadata table (<c>last-cleanup-state-v2-&lt;tablePrefix&gt;</c>,
    /// only if the last run is older than the interval, so several sidecars share the work), then delete expired rows
    /// (components-contrib common/component/sql/cleanup.go).
    /// </summary>
    private async Task CleanupLoopAsync(TimeSpan interval, TimeProvider clock, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await CleanupExpiredAsync(interval, stopping);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    _logger.LogError(e, "error removing expired data from {Table}", Table);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task CleanupExpiredAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var meta = _options.MetadataTableName;
        await using var claim = _db.CreateCommand($"""
            INSERT INTO {meta} (key, value) VALUES ('last-cleanup-state-v2-' || $2, now()::text)
            ON CONFLICT (key) DO UPDATE SET value = now()::text
            WHERE (EXTRACT('epoch' FROM now() - {meta}.value::timestamp with time zone) * 1000)::bigint > $1
            """);
        claim.Parameters.Add(new NpgsqlParameter { Value = (long)interval.TotalMilliseconds - 100 });
        claim.Parameters.Add(new NpgsqlParameter { Value = _options.TablePrefix });
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return; // another sidecar (or an earlier tick) cleaned up recently
        }

        await using var delete = _db.CreateCommand($"DELETE FROM {Table} WHERE expires_at IS NOT NULL AND expires_at < now()");
        var removed = await delete.ExecuteNonQueryAsync(cancellationToken);
        _logger.LogDebug("removed {Count} expired rows from {Table}", removed, Table);
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.Timeout);
        return source;
    }

    private static StateEntry ReadEntry(NpgsqlDataReader reader, int first) => new(
        reader.GetFieldValue<byte[]>(first),
        reader.GetGuid(first + 1).ToString("D"),
        reader.IsDBNull(first + 2) ? null : reader.GetFieldValue<DateTimeOffset>(first + 2));

    /// <summary>
    /// ETags are UUIDs (Go uuid.Parse forms: 36-char, braced, urn:uuid:, 32 hex); anything else is an ETag mismatch
    /// right away, not an invalid-ETag error.
    /// </summary>
    private static Guid ParseETag(string etag)
    {
        var (text, format) = etag.Length switch
        {
            36 => (etag, "D"),
            38 => (etag, "B"),
            45 when etag.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) => (etag[9..], "D"),
            45 => throw new StateETagMismatchException($"invalid urn prefix: \"{etag[..9]}\""),
            32 => (etag, "N"),
            _ => throw new StateETagMismatchException($"invalid UUID length: {etag.Length}"),
        };
        return Guid.TryParseExact(text, format, out var value) ? value : throw new StateETagMismatchException("invalid UUID format");
    }

    /// <summary>components-contrib state/utils ParseTTL: an integer from -1 to 2^31-1; -1 and 0 mean no expiry.</summary>
    private static long ParseTtl(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(TtlMetadataKey, out var raw) || raw.Length == 0)
        {
            return 0;
        }

        if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl))
        {
            throw new InvalidOperationException($"error parsing TTL: incorrect value for metadata '{TtlMetadataKey}': strconv.ParseInt: parsing \"{raw}\": invalid syntax");
        }

        return ttl is < -1 or > int.MaxValue
            ? throw new InvalidOperationException($"error parsing TTL: incorrect value for metadata '{TtlMetadataKey}': must be -1 or greater")
            : ttl;
    }
}

/// <summary>
/// The same store with <c>actorStateStore: "true"</c>: the harness keeps its own tables in its database (the
/// connection string carries no pool settings of this component).
/// </summary>
public sealed class PostgresActorStateStore : PostgresStateStore, IActorStateStore
{
    internal PostgresActorStateStore(string name, PostgresStateOptions options, NpgsqlDataSource db, HarnessContext context)
        : base(name, options, db, context)
    {
        NpgsqlConnectionString = options.NpgsqlConnectionString;
    }

    public string NpgsqlConnectionString { get; }
}
