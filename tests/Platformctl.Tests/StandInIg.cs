using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Platformctl.Tests;

/// <summary>One batch the stand-in IG received: what the producer actually put on the wire.</summary>
public sealed record ReceivedBatch(int Call, string Method, string Path, string? ApiKey, string? ContentType, IReadOnlyList<string> RawEnvelopes)
{
    public IReadOnlyList<string> EventIds { get; } = RawEnvelopes.Select(EventIdOf).ToList();

    private static string EventIdOf(string rawEnvelope)
    {
        using var document = JsonDocument.Parse(rawEnvelope);
        return document.RootElement.GetProperty("event_id").GetString()!;
    }
}

/// <summary>
/// IG's <c>POST /v1/events:batch</c> contract: by default every new event_id is ADMIT and a repeated one DUPLICATE,
/// each with a receipt. A script can answer a call differently; item overrides get (index, event_id).
/// </summary>
public sealed class StandInIg : BatchStandIn<ReceivedBatch>
{
    private readonly ConcurrentDictionary<string, string> admitted = new(StringComparer.Ordinal);

    private StandInIg()
    {
    }

    /// <summary>Starts a stand-in; <paramref name="script"/> returns null to let the default behaviour answer.</summary>
    public static async Task<StandInIg> StartAsync(Func<ReceivedBatch, StandInIg, Answer?>? script = null)
    {
        var standIn = new StandInIg();
        await standIn.ListenAsync(batch => script?.Invoke(batch, standIn));
        return standIn;
    }

    public static object ItemProblem(int index, string eventId, int status, string title) =>
        new { index, event_id = eventId, status, problem = new { type = "about:blank", title, status } };

    protected override ReceivedBatch ReadBatch(ReceivedRequest request) =>
        new(request.Call, request.Method, request.Path, request.ApiKey, request.ContentType, RawItems(request));

    protected override IReadOnlyList<string> ItemsOf(ReceivedBatch batch) => batch.EventIds;

    protected override object Decide(int index, string item)
    {
        var receipt = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(item))[..32];
        var decision = admitted.TryAdd(item, receipt) ? "ADMIT" : "DUPLICATE";
        return new { index, event_id = item, decision, receipt_id = receipt, reason_codes = Array.Empty<string>() };
    }
}
