using System.Threading.Channels;
using Dapr.DurableTask.Protobuf;
using Grpc.Core;

namespace DaprHarness.Workflow;

/// <summary>
/// The workers' open GetWorkItems streams. Work items go round-robin to the open streams; each stream has one
/// writer, so gRPC's one-write-at-a-time rule holds. When a stream ends (the worker disconnects or the harness
/// stops), the unanswered items it carried are released for re-dispatch.
/// </summary>
internal sealed class WorkItemStreams(InFlightWork inFlight, TimerScheduler scheduler, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly List<OpenStream> _streams = [];
    private int _next;

    internal sealed class OpenStream
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");

        public Channel<WorkItem> Items { get; } = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    }

    public bool HasStreams
    {
        get
        {
            lock (_lock)
            {
                return _streams.Count > 0;
            }
        }
    }

    /// <summary>The stream the next work item goes to, or null when no worker is connected.</summary>
    public OpenStream? Pick()
    {
        lock (_lock)
        {
            if (_streams.Count == 0)
            {
                return null;
            }

            _next = (_next + 1) % _streams.Count;
            return _streams[_next];
        }
    }

    /// <summary>Serves one GetWorkItems call until the worker goes away or <paramref name="stopping"/> fires.</summary>
    public async Task RunAsync(IServerStreamWriter<WorkItem> writer, CancellationToken stopping)
    {
        var stream = new OpenStream();
        lock (_lock)
        {
            _streams.Add(stream);
        }

        logger.LogInformation("workflow worker stream {Stream} connected", stream.Id);
        scheduler.Wake();
        try
        {
            await foreach (var item in stream.Items.Reader.ReadAllAsync(stopping))
            {
                await writer.WriteAsync(item, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // the worker disconnected or the harness is stopping
        }
        finally
        {
            lock (_lock)
            {
                _streams.Remove(stream);
            }

            // Complete first: a dispatch racing with this either fails to write (and untracks its item) or is released here.
            stream.Items.Writer.TryComplete();
            var released = inFlight.ReleaseStream(stream.Id);
            logger.LogInformation("workflow worker stream {Stream} closed; {Released} unanswered work item(s) released for re-dispatch", stream.Id, released);
            scheduler.Wake();
        }
    }
}
