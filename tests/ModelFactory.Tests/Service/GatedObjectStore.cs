using Platform.Substrate.BuildingBlocks;

namespace ModelFactory.Tests.Service;

/// <summary>
/// The real object store, except that when armed the next read of a dataset object signals <see cref="Entered"/> and
/// waits for <see cref="Release"/>: a test holds the training activity in flight while it restarts the sidecar.
/// </summary>
public sealed class GatedObjectStore(IObjectStore inner) : IObjectStore
{
    private TaskCompletionSource? _entered;
    private TaskCompletionSource? _release;

    public Task Entered => _entered?.Task ?? throw new InvalidOperationException("not armed");

    /// <summary>Blocks the next dataset read until <see cref="Release"/>.</summary>
    public void Arm()
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release() => _release?.TrySetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (key.Contains("/ofs/datasets/", StringComparison.Ordinal) && Interlocked.Exchange(ref _entered, null) is { } entered)
        {
            entered.TrySetResult();
            await _release!.Task.WaitAsync(cancellationToken);
        }

        return await inner.GetAsync(key, cancellationToken);
    }

    public Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        inner.CreateIfAbsentAsync(key, content, contentType, cancellationToken);

    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => inner.PresignGetAsync(key, timeToLive, cancellationToken);
}
