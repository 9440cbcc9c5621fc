using Dapr.DurableTask.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace DaprHarness.Workflow;

/// <summary>Instance creation and the commit of one orchestration turn.</summary>
internal sealed partial class WorkflowStore
{
    /// <summary>
    /// Commits a turn in one transaction: the consumed inbox events leave the inbox, history grows (or restarts for
    /// continue-as-new), the metadata row changes, and new activities, timers and messages to other instances are
    /// written. Returns every instance whose state changed (for waiters).
    /// </summary>
    public async Task<IReadOnlyList<string>> CommitTurnAsync(TurnCommit commit, DateTimeOffset now, CancellationToken cancellationToken) =>
        await InTransactionAsync(async (connection, transaction) =>
        {
            var id = commit.InstanceId;
            var locked = await LockAsync(connection, transaction, commit.Messages.Select(m => m.TargetInstanceId).Append(id), cancellationToken);
            if (!locked.TryGetValue(id, out var status) || InstanceRow.IsTerminal(status))
            {
                throw new WorkflowException(WorkflowError.TurnConflict);
            }

            await using (var consume = Command(connection, transaction, "DELETE FROM harness_wf_inbox WHERE app_id = @app AND instance_id = @id AND seq = ANY(@seqs)"))
            {
                consume.Parameters.AddWithValue("id", id);
                consume.Parameters.Add(new NpgsqlParameter<long[]>("seqs", [.. commit.ConsumedInbox]));
                if (await consume.ExecuteNonQueryAsync(cancellationToken) != commit.ConsumedInbox.Count)
                {
                    throw new WorkflowException(WorkflowError.TurnConflict);
                }
            }

            if (commit.ContinuedAsNew)
            {
                await ExecuteForAsync(connection, transaction, id, "DELETE FROM harness_wf_history WHERE app_id = @app AND instance_id = @id", cancellationToken);
            }

            await AppendHistoryAsync(connection, transaction, id, commit.AppendHistory, cancellationToken);
            await UpdateInstanceAsync(connection, transaction, commit, now, cancellationToken);

            if (commit.IsCompleted)
            {
                // Nothing pending of a finished workflow is delivered any more.
                await ExecuteForAsync(connection, transaction, id, "DELETE FROM harness_wf_inbox WHERE app_id = @app AND instance_id = @id", cancellationToken);
                await ExecuteForAsync(connection, transaction, id, "DELETE FROM harness_wf_activities WHERE app_id = @app AND instance_id = @id", cancellationToken);
            }
            else if (commit.ContinuedAsNew)
            {
                await RestartInboxAsync(connection, transaction, commit, cancellationToken);
            }
            else
            {
                foreach (var (e, visibleAt) in commit.SelfInbox)
                {
                    await InsertInboxAsync(connection, transaction, id, e, visibleAt, cancellationToken);
                }

                foreach (var activity in commit.Activities)
                {
                    await InsertActivityAsync(connection, transaction, activity, cancellationToken);
                }
            }

            var changed = new List<string> { id };
            foreach (var message in commit.Messages)
            {
                if (await DeliverAsync(connection, transaction, commit, message, locked, now, cancellationToken))
                {
                    changed.Add(message.TargetInstanceId);
                }
            }

            return (IReadOnlyList<string>)changed;
        }, cancellationToken);

    /// <summary>
    /// Creates an instance whose ExecutionStarted waits in the inbox until <paramref name="visibleAt"/> (its scheduled
    /// start). A finished instance with the same id is replaced; a running one is not (dapr orchestrator/create.go).
    /// The caller holds the row lock.
    /// </summary>
    private async Task<CreateResult> CreateCoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, HistoryEvent startEvent, DateTimeOffset visibleAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = startEvent.ExecutionStarted;
        var id = started.WorkflowInstance.InstanceId;
        if (await GetCoreAsync(connection, transaction, id, cancellationToken) is { } existing)
        {
            if (!existing.IsCompleted)
            {
                return started.ParentInstance is { } parent && existing.ParentInstanceId == parent.WorkflowInstance.InstanceId
                    ? CreateResult.Duplicate
                    : CreateResult.AlreadyExists;
            }

            await ExecuteForAsync(connection, transaction, id, "DELETE FROM harness_wf_instances WHERE app_id = @app AND instance_id = @id", cancellationToken);
        }

        await using (var insert = Command(connection, transaction, """
            INSERT INTO harness_wf_instances (app_id, instance_id, name, status, execution_id, input, parent_instance_id, created_at, last_updated_at)
            VALUES (@app, @id, @name, @status, @execution, @input, @parent, @now, @now)
            """))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("name", started.Name);
            insert.Parameters.AddWithValue("status", (int)OrchestrationStatus.Pending);
            insert.Parameters.AddWithValue("execution", started.WorkflowInstance.ExecutionId ?? "");
            insert.Parameters.AddWithValue("input", (object?)started.Input ?? DBNull.Value);
            insert.Parameters.AddWithValue("parent", (object?)started.ParentInstance?.WorkflowInstance.InstanceId ?? DBNull.Value);
            insert.Parameters.AddWithValue("now", now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertInboxAsync(connection, transaction, id, startEvent, visibleAt, cancellationToken);
        return CreateResult.Created;
    }

    /// <summary>Delivers one message of a turn; true when the target's state changed.</summary>
    private async Task<bool> DeliverAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        TurnCommit commit,
        OutgoingMessage message,
        Dictionary<string, OrchestrationStatus> locked,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var target = message.TargetInstanceId;
        if (message.Event.ExecutionStarted is { } started)
        {
            var created = await CreateCoreAsync(connection, transaction, message.Event, now, now, cancellationToken);
            if (created == CreateResult.AlreadyExists && !commit.IsCompleted)
            {
                // The child cannot start: the parent learns it as a failed child workflow.
                var failed = new HistoryEvent
                {
                    EventId = -1,
                    Timestamp = Timestamp.FromDateTimeOffset(now),
                    ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent
                    {
                        TaskScheduledId = started.ParentInstance.TaskScheduledId,
                        FailureDetails = new TaskFailureDetails
                        {
                            ErrorType = "AlreadyExists",
                            ErrorMessage = $"an active workflow with ID '{target}' already exists",
                            IsNonRetriable = true,
                        },
                    },
                };
                await InsertInboxAsync(connection, transaction, commit.InstanceId, failed, now, cancellationToken);
            }

            return created == CreateResult.Created;
        }

        // Events for unknown or finished instances are dropped, like a result for a purged parent.
        var targetDone = target == commit.InstanceId ? commit.IsCompleted || commit.ContinuedAsNew : !locked.TryGetValue(target, out var status) || InstanceRow.IsTerminal(status);
        if (targetDone)
        {
            return false;
        }

        await InsertInboxAsync(connection, transaction, target, message.Event, now, cancellationToken);
        if (message.Event.ExecutionTerminated is not null)
        {
            await using var due = Command(connection, transaction,
                "UPDATE harness_wf_inbox SET visible_at = LEAST(visible_at, @now) WHERE app_id = @app AND instance_id = @id AND kind = 'ExecutionStarted'");
            due.Parameters.AddWithValue("now", now);
            due.Parameters.AddWithValue("id", target);
            await due.ExecuteNonQueryAsync(cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Continue-as-new: the old execution's activities and timers are dropped; the new ExecutionStarted and the
    /// carried-over events go first, then whatever else arrived meanwhile, in arrival order.
    /// </summary>
    private async Task RestartInboxAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TurnCommit commit, CancellationToken cancellationToken)
    {
        var id = commit.InstanceId;
        await ExecuteForAsync(connection, transaction, id, "DELETE FROM harness_wf_activities WHERE app_id = @app AND instance_id = @id", cancellationToken);
        await ExecuteForAsync(connection, transaction, id, "DELETE FROM harness_wf_inbox WHERE app_id = @app AND instance_id = @id AND kind = 'TimerFired'", cancellationToken);
        var later = new List<(HistoryEvent Event, DateTimeOffset VisibleAt)>();
        await using (var take = Command(connection, transaction,
            "DELETE FROM harness_wf_inbox WHERE app_id = @app AND instance_id = @id RETURNING seq, event, visible_at"))
        {
            take.Parameters.AddWithValue("id", id);
            var rows = new List<(long Seq, HistoryEvent Event, DateTimeOffset VisibleAt)>();
            await using var reader = await take.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), HistoryEvents.Parse((byte[])reader[1]), reader.GetFieldValue<DateTimeOffset>(2)));
            }

            later.AddRange(rows.OrderBy(r => r.Seq).Select(r => (r.Event, r.VisibleAt)));
        }

        foreach (var (e, visibleAt) in commit.SelfInbox.Concat(later))
        {
            await InsertInboxAsync(connection, transaction, id, e, visibleAt, cancellationToken);
        }
    }

    private async Task AppendHistoryAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string instanceId, List<HistoryEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var command = Command(connection, transaction, """
            INSERT INTO harness_wf_history (app_id, instance_id, seq, event)
            SELECT @app, @id, base.next + e.ord - 1, e.event
            FROM (SELECT coalesce(max(seq) + 1, 0) AS next FROM harness_wf_history WHERE app_id = @app AND instance_id = @id) base,
                 unnest(@events) WITH ORDINALITY AS e(event, ord)
            """);
        command.Parameters.AddWithValue("id", instanceId);
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("events", [.. events.Select(e => e.Bytes())]));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task UpdateInstanceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TurnCommit commit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, """
            UPDATE harness_wf_instances SET
                status = @status,
                output = @output,
                failure = @failure,
                custom_status = @custom,
                input = CASE WHEN @restart THEN @input ELSE input END,
                execution_id = coalesce(@execution, execution_id),
                created_at = CASE WHEN @restart THEN @now ELSE created_at END,
                last_updated_at = @now,
                completed_at = CASE WHEN @completed THEN @now END
            WHERE app_id = @app AND instance_id = @id
            """);
        command.Parameters.AddWithValue("id", commit.InstanceId);
        command.Parameters.AddWithValue("status", (int)commit.Status);
        command.Parameters.AddWithValue("output", (object?)commit.Output ?? DBNull.Value);
        command.Parameters.AddWithValue("failure", (object?)commit.Failure?.Bytes() ?? DBNull.Value);
        command.Parameters.AddWithValue("custom", (object?)commit.CustomStatus ?? DBNull.Value);
        command.Parameters.AddWithValue("restart", commit.ContinuedAsNew);
        command.Parameters.AddWithValue("input", (object?)commit.NewInput ?? DBNull.Value);
        command.Parameters.Add(new NpgsqlParameter("execution", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)commit.NewExecutionId ?? DBNull.Value });
        command.Parameters.AddWithValue("completed", commit.IsCompleted);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task InsertActivityAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PendingActivity activity, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, """
            INSERT INTO harness_wf_activities (app_id, instance_id, task_id, execution_id, request) VALUES (@app, @id, @task, @execution, @request)
            ON CONFLICT (app_id, instance_id, task_id) DO UPDATE SET execution_id = EXCLUDED.execution_id, request = EXCLUDED.request
            """);
        command.Parameters.AddWithValue("id", activity.InstanceId);
        command.Parameters.AddWithValue("task", activity.TaskId);
        command.Parameters.AddWithValue("execution", activity.ExecutionId);
        command.Parameters.AddWithValue("request", activity.Request.Bytes());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs a statement about one instance (<c>@app</c>, <c>@id</c>).</summary>
    private async Task ExecuteForAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string instanceId, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        command.Parameters.AddWithValue("id", instanceId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
