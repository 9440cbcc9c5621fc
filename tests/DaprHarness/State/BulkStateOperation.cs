using System.Runtime.ExceptionServices;
using DaprHarness.Components;
using DaprHarness.Resiliency;

namespace DaprHarness.State;

/// <summary>
/// daprd's SaveState / DeleteBulkState execution (dapr/dapr pkg/components/state/bulk.go PerformBulkStoreOperation
/// with components-contrib's DefaultBulkStore): one item runs alone; several run in parallel, not in a transaction,
/// and each fails on its own. Under the store's outbound resiliency policy only failed items that are not ETag
/// mismatches are retried; ETag mismatches are permanent.
/// </summary>
public static class BulkStateOperation
{
    public static async Task RunAsync<T>(
        IReadOnlyList<T> requests,
        Func<T, CancellationToken, Task> execute,
        ResiliencyPolicy policy,
        TimeProvider clock,
        CancellationToken cancellationToken)
        where T : StateOperation
    {
        var pending = requests;
        Exception? permanent = null;
        var failure = await policy.ExecuteAsync(async attempt =>
        {
            if (pending.Count == 1)
            {
                try
                {
                    await execute(pending[0], attempt);
                }
                catch (StateETagMismatchException e)
                {
                    permanent = e;
                }

                return;
            }

            var outcomes = await Task.WhenAll(pending.Select(async request =>
            {
                try
                {
                    await execute(request, attempt);
                    return (request, (Exception?)null);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    return (request, e);
                }
            }));
            var failed = outcomes.Where(o => o.Item2 is not null).ToList();
            if (failed.Count == 0)
            {
                return;
            }

            var joined = new BulkStateException(failed.Select(f => f.Item2!).ToList());
            var retriable = failed.Where(f => f.Item2 is not StateETagMismatchException).Select(f => f.request).ToList();
            if (retriable.Count == 0)
            {
                permanent = new StateETagMismatchException(joined.Message);
                return;
            }

            pending = retriable;
            throw joined;
        }, clock, cancellationToken);

        if ((failure ?? permanent) is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }
}

/// <summary>The failures of several items (Go errors.Join: messages one per line).</summary>
public sealed class BulkStateException : Exception
{
    public BulkStateException(IReadOnlyList<Exception> errors) : base(string.Join('\n', errors.Select(e => e.Message))) => Errors = errors;

    public BulkStateException() : this([])
    {
    }

    public BulkStateException(string message) : base(message) => Errors = [];

    public BulkStateException(string message, Exception inner) : base(message, inner) => Errors = [inner];

    public IReadOnlyList<Exception> Errors { get; }

    /// <summary>daprd maps the joined error to Aborted when any item failed on its ETag (errors.As walks the join).</summary>
    public bool HasETagMismatch => Errors.Any(e => e is StateETagMismatchException);
}
