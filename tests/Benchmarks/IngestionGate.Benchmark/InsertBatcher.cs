using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace IngestionGate.Benchmark;

/// <summary>
/// The ideal gateway's write path: each of <see cref="Workers"/> loops takes every queued request (never splitting
/// one) up to <see cref="MaxRows"/> rows and inserts them with one <c>INSERT ... SELECT FROM unnest(...) ON CONFLICT
/// DO NOTHING RETURNING</c>; a row is new when its key comes back. Keys are sorted inside a statement so concurrent
/// statements lock index entries in the same order.
/// </summary>
internal sealed class InsertBatcher(NpgsqlDataSource dataSource)
{
    private const int Workers = 4;
    private const int MaxRows = 1000;

    private static readonly string Sql =
        $"INSERT INTO {IdealGateway.TableName} (dedupe_key, platform_run_id, event_type, event_id, envelope) " +
        "SELECT * FROM unnest(@keys, @runs, @types, @ids, @envelopes) ORDER BY 1 ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key";

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();

    /// <summary>For each row, in order: true when this request inserted it, false when it was there already.</summary>
    public Task<bool[]> SubmitAsync(IReadOnlyList<EventRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return Task.FromResult(Array.Empty<bool>());
        }

        var pending = new Pending(rows, new TaskCompletionSource<bool[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Writer.TryWrite(pending);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public void Start(CancellationToken stoppingToken)
    {
        for (var i = 0; i < Workers; i++)
        {
            _ = Task.Run(() => RunWorkerAsync(stoppingToken), stoppingToken);
        }
    }

    private async Task RunWorkerAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<Pending>();
                var rows = 0;
                while (rows < MaxRows && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    rows += pending.Rows.Count;
                }

                if (batch.Count > 0)
                {
                    await InsertAsync(batch, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping with the process.
        }
    }

    private async Task InsertAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        try
        {
            var rows = batch.SelectMany(p => p.Rows).ToList();
            await using var command = dataSource.CreateCommand(Sql);
            command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. rows.Select(r => r.DedupeKey)]));
            command.Parameters.Add(new NpgsqlParameter<string[]>("runs", [.. rows.Select(r => r.PlatformRunId)]));
            command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. rows.Select(r => r.EventType)]));
            command.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. rows.Select(r => r.EventId)]));
            command.Parameters.Add(new NpgsqlParameter<string[]>("envelopes", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { TypedValue = [.. rows.Select(r => r.Envelope)] });
            var inserted = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted.Add(reader.GetString(0));
                }
            }

            foreach (var pending in batch)
            {
                // A key repeated inside one statement is inserted once: the first occurrence takes it.
                pending.Done.TrySetResult([.. pending.Rows.Select(r => inserted.Remove(r.DedupeKey))]);
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(exception);
            }
        }
    }

    private sealed record Pending(IReadOnlyList<EventRow> Rows, TaskCompletionSource<bool[]> Done);
}
