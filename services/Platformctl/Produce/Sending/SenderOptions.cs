using Platformctl.Delivery;

namespace Platformctl.Produce.Sending;

/// <summary>One envelope ready to send: its id and its canonical JSON.</summary>
public sealed record EncodedEnvelope(string EventId, byte[] Json);

/// <summary>How the producer talks to IG's batch endpoint and how hard it retries.</summary>
public sealed record SenderOptions : BatchPostOptions
{
    public required Uri IgUrl { get; init; }

    /// <summary>Events per second across all workers; null for as fast as IG answers.</summary>
    public double? RatePerSecond { get; init; }
}
