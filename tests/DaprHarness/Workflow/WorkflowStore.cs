using Dapr.DurableTask.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace DaprHarness.Workflow;

/// <summary>Why an event could not be added to an instance's inbox.</summary>
internal enum AddEventResult
{
    Added,
    NotFound,

    /// <summary>The instance already finished: events for it are dropped (durabletask-go drops work items of completed workflows).</summary>
    Ignored,
}

internal enum CreateResult
{
    Created,

    /// <summary>An instance with this id is not finished yet.</summary>
    AlreadyExists,

    /// <summary>The same parent asked again for the child it already created (dapr orchestrator/create.go isSameParentCreation).</summary>
    Duplicate,
}

/// <summary>
/// Workflow instances of one app in the harness's PostgreSQL database: metadata, committed history, inbox (with
/// visibility times, which is how durable timers and scheduled starts wait) and pending activities. Rows are keyed by
/// app id, so several sidecars share one database; every change of one instance runs under its row lock.
/// </summary>
internal sealed partial class WorkflowStore(NpgsqlDataSource db, string appId)
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS harness_wf_instances (
            app_id text NOT NULL,
            instance_id text NOT NULL,
            name text NOT NULL,
            status integer NOT NULL,
            execution_id text NOT NULL,
            input text,
            output text,
            custom_status text,
            failure bytea,
            parent_instance_id text,
            created_at timestamptz NOT NULL,
            last_updated_at timestamptz NOT NULL,
            completed_at timestamptz,
            PRIMARY KEY (app_id, instance_id));
        CREATE TABLE IF NOT EXISTS harness_wf_history (
            app_id text NOT NULL,
            instance_id text NOT NULL,
            seq integer NOT NULL,
            event bytea NOT NULL,
            PRIMARY KEY (app_id, instance_id, seq),
            FOREIGN KEY (app_id, instance_id) REFERENCES harness_wf_instances ON DELETE CASCADE);
        CREATE TABLE IF NOT EXISTS harness_wf_inbox (
            seq bigserial PRIMARY KEY,
            app_id text NOT NULL,
            instance_id text NOT NULL,
            kind text NOT NULL,
            visible_at timestamptz NOT NULL,
            event bytea NOT NULL,
            FOREIGN KEY (app_id, instance_id) REFERENCES harness_wf_instances ON DELETE CASCADE);
        CREATE INDEX IF NOT EXISTS harness_wf_inbox_instance ON harness_wf_inbox (app_id, instance_id, seq);
        CREATE INDEX IF NOT EXISTS harness_wf_inbox_due ON harness_wf_inbox (app_id, visible_at);
        CREATE TABLE IF NOT EXISTS harness_wf_activities (
            app_id text NOT NULL,
            instance_id text NOT NULL,
            task_id integer NOT NULL,
            execution_id text NOT NULL,
            request bytea NOT NULL,
            PRIMARY KEY (app_id, instance_id, task_id),
            FOREIGN KEY (app_id, instance_id) REFERENCES harness_wf_instances ON DELETE CASCADE);
        """;

    private const string InstanceColumns =
        "instance_id, name, status, execution_id, input, output, custom_status, failure, parent_instance_id, created_at, last_updated_at, completed_at";

    public string AppId => appId;

    /// <summary>Creates the tables once per database; harnesses starting together serialise on an advisory lock.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('harness_wf_schema'))", cancellationToken);
        await ExecuteAsync(connection, transaction, Schema, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<CreateResult> CreateAsync(HistoryEvent startEvent, DateTimeOffset visibleAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            await LockAsync(connection, transaction, [startEvent.ExecutionStarted.WorkflowInstance.InstanceId], cancellationToken);
            return await CreateCoreAsync(connection, transaction, startEvent, visibleAt, now, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Adds an event to a live instance's inbox. <paramref name="startNow"/> makes a scheduled start due at once, so
    /// that a terminate reaches an instance that has not started yet.
    /// </summary>
    public async Task<AddEventResult> AddEventAsync(string instanceId, HistoryEvent e, DateTimeOffset now, bool startNow, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var locked = await LockAsync(connection, transaction, [instanceId], cancellationToken);
            if (!locked.TryGetValue(instanceId, out var status))
            {
                return AddEventResult.NotFound;
            }

            if (InstanceRow.IsTerminal(status))
            {
                return AddEventResult.Ignored;
            }

            await InsertInboxAsync(connection, transaction, instanceId, e, now, cancellationToken);
            if (startNow)
            {
                await using var due = Command(connection, transaction,
                    "UPDATE harness_wf_inbox SET visible_at = LEAST(visible_at, @now) WHERE app_id = @app AND instance_id = @id AND kind = 'ExecutionStarted'");
                due.Parameters.AddWithValue("now", now);
                due.Parameters.AddWithValue("id", instanceId);
                await due.ExecuteNonQueryAsync(cancellationToken);
            }

            return AddEventResult.Added;
        }, cancellationToken);

    public async Task<InstanceRow?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await GetCoreAsync(connection, null, instanceId, cancellationToken);
    }

    /// <summary>The instance, its history and the inbox events due at <paramref name="now"/>, read in one snapshot.</summary>
    public async Task<InstanceSnapshot?> LoadAsync(string instanceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var instance = await GetCoreAsync(connection, transaction, instanceId, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        var history = await HistoryCoreAsync(connection, transaction, instanceId, cancellationToken);
        var inbox = new List<InboxEntry>();
        await using (var command = Command(connection, transaction,
            "SELECT seq, event, visible_at FROM harness_wf_inbox WHERE app_id = @app AND instance_id = @id AND visible_at <= @now ORDER BY seq"))
        {
            command.Parameters.AddWithValue("id", instanceId);
            command.Parameters.AddWithValue("now", now);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inbox.Add(new InboxEntry(reader.GetInt64(0), HistoryEvents.Parse((byte[])reader[1]), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new InstanceSnapshot(instance, history, inbox);
    }

    /// <summary>Instances with at least one inbox event due at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<string>> ReadyInstancesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT instance_id FROM harness_wf_inbox WHERE app_id = @app AND visible_at <= @now GROUP BY instance_id ORDER BY min(seq)");
        command.Parameters.AddWithValue("now", now);
        return await ReadStringsAsync(command, cancellationToken);
    }

    /// <summary>The earliest inbox event due after <paramref name="now"/> (the next timer or scheduled start).</summary>
    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT min(visible_at) FROM harness_wf_inbox WHERE app_id = @app AND visible_at > @now");
        command.Parameters.AddWithValue("now", now);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime due ? new DateTimeOffset(due, TimeSpan.Zero) : null;
    }

    public async Task<IReadOnlyList<PendingActivity>> PendingActivitiesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT instance_id, task_id, execution_id, request FROM harness_wf_activities WHERE app_id = @app ORDER BY instance_id, task_id");
        var activities = new List<PendingActivity>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            activities.Add(new PendingActivity(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), ActivityRequest.Parser.ParseFrom((byte[])reader[3])));
        }

        return activities;
    }

    /// <summary>
    /// Records an activity's result: the pending activity row is removed and the result joins the inbox, in one
    /// transaction. False when the activity is no longer pending (a duplicate result, or the workflow moved on).
    /// </summary>
    public async Task<bool> CompleteActivityAsync(string instanceId, int taskId, string executionId, HistoryEvent result, DateTimeOffset now, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            await LockAsync(connection, transaction, [instanceId], cancellationToken);
            await using var delete = Command(connection, transaction,
                "DELETE FROM harness_wf_activities WHERE app_id = @app AND instance_id = @id AND task_id = @task AND execution_id = @execution");
            delete.Parameters.AddWithValue("id", instanceId);
            delete.Parameters.AddWithValue("task", taskId);
            delete.Parameters.AddWithValue("execution", executionId);
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }

            await InsertInboxAsync(connection, transaction, instanceId, result, now, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>The committed history, or null when the instance does not exist.</summary>
    public async Task<IReadOnlyList<HistoryEvent>?> HistoryAsync(string instanceId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        if (await GetCoreAsync(connection, transaction, instanceId, cancellationToken) is null)
        {
            return null;
        }

        return await HistoryCoreAsync(connection, transaction, instanceId, cancellationToken);
    }

    /// <summary>Instance ids in id order after <paramref name="after"/>; one more than <paramref name="limit"/> tells whether a page follows.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string? after, int? limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT instance_id FROM harness_wf_instances WHERE app_id = @app AND (@after::text IS NULL OR instance_id > @after) ORDER BY instance_id LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)after ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Bigint) { Value = limit is { } l ? l + 1L : DBNull.Value });
        return await ReadStringsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Deletes a finished instance (any instance with <paramref name="force"/>), and with <paramref name="recursive"/>
    /// its child workflows (durabletask-go backend/backend.go purgeWorkflowState). Returns how many were deleted.
    /// </summary>
    public async Task<int> PurgeAsync(string instanceId, bool recursive, bool force, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var doomed = new List<string>();
            await CollectPurgeAsync(connection, transaction, instanceId, recursive, force, doomed, isRoot: true, cancellationToken);
            await using var delete = Command(connection, transaction, "DELETE FROM harness_wf_instances WHERE app_id = @app AND instance_id = ANY(@ids)");
            delete.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. doomed]));
            return await delete.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private async Task CollectPurgeAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string instanceId,
        bool recursive,
        bool force,
        List<string> doomed,
        bool isRoot,
        CancellationToken cancellationToken)
    {
        var locked = await LockAsync(connection, transaction, [instanceId], cancellationToken);
        if (!locked.TryGetValue(instanceId, out var status))
        {
            // A child purged out of band is skipped, so a recursive purge stays idempotent.
            if (isRoot)
            {
                throw new WorkflowException(WorkflowError.InstanceNotFound);
            }

            return;
        }

        if (!force && !InstanceRow.IsTerminal(status))
        {
            throw new WorkflowException(WorkflowError.NotCompleted);
        }

        doomed.Add(instanceId);
        if (!recursive)
        {
            return;
        }

        foreach (var child in (await HistoryCoreAsync(connection, transaction, instanceId, cancellationToken))
                 .Where(e => e.ChildWorkflowInstanceCreated is not null)
                 .Select(e => e.ChildWorkflowInstanceCreated.InstanceId))
        {
            await CollectPurgeAsync(connection, transaction, child, recursive, force, doomed, isRoot: false, cancellationToken);
        }
    }

    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        // Instance rows are locked in id order, but a child created by one turn while another turn of the same tree
        // commits can still deadlock; PostgreSQL aborts one of them, which simply runs again.
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }
    }

    /// <summary>Locks the existing instance rows among <paramref name="instanceIds"/> (in id order) and returns their status.</summary>
    private async Task<Dictionary<string, OrchestrationStatus>> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<string> instanceIds, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            "SELECT instance_id, status FROM harness_wf_instances WHERE app_id = @app AND instance_id = ANY(@ids) ORDER BY instance_id FOR UPDATE");
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. instanceIds.Distinct(StringComparer.Ordinal)]));
        var locked = new Dictionary<string, OrchestrationStatus>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            locked[reader.GetString(0)] = (OrchestrationStatus)reader.GetInt32(1);
        }

        return locked;
    }

    private async Task<InstanceRow?> GetCoreAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string instanceId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {InstanceColumns} FROM harness_wf_instances WHERE app_id = @app AND instance_id = @id");
        command.Parameters.AddWithValue("id", instanceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new InstanceRow(
            reader.GetString(0),
            reader.GetString(1),
            (OrchestrationStatus)reader.GetInt32(2),
            reader.GetString(3),
            Text(4),
            Text(5),
            Text(6),
            reader.IsDBNull(7) ? null : TaskFailureDetails.Parser.ParseFrom((byte[])reader[7]),
            Text(8),
            reader.GetFieldValue<DateTimeOffset>(9),
            reader.GetFieldValue<DateTimeOffset>(10),
            reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11));
    }

    private async Task<List<HistoryEvent>> HistoryCoreAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string instanceId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT event FROM harness_wf_history WHERE app_id = @app AND instance_id = @id ORDER BY seq");
        command.Parameters.AddWithValue("id", instanceId);
        var events = new List<HistoryEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(HistoryEvents.Parse((byte[])reader[0]));
        }

        return events;
    }

    private async Task InsertInboxAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string instanceId, HistoryEvent e, DateTimeOffset visibleAt, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            "INSERT INTO harness_wf_inbox (app_id, instance_id, kind, visible_at, event) VALUES (@app, @id, @kind, @visible, @event)");
        command.Parameters.AddWithValue("id", instanceId);
        command.Parameters.AddWithValue("kind", e.EventTypeCase.ToString());
        command.Parameters.AddWithValue("visible", visibleAt);
        command.Parameters.AddWithValue("event", e.Bytes());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("app", appId);
        return command;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
