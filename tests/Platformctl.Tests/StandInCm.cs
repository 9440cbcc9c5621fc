using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Platformctl.Tests;

/// <summary>One batch the stand-in cm received: what the label feed actually put on the wire.</summary>
public sealed record ReceivedLabels(int Call, string Method, string Path, string? ApiKey, string? ContentType, IReadOnlyList<string> RawAssertions)
{
    public IReadOnlyList<string> EventIds { get; } = [.. RawAssertions.Select(a => Field(a, "event_id"))];

    public static string Field(string rawAssertion, string name)
    {
        using var document = JsonDocument.Parse(rawAssertion);
        return document.RootElement.GetProperty(name).GetString()!;
    }
}

/// <summary>
/// cm's <c>POST /v1/labels:batch</c> contract: an assertion is keyed by (event_id, observed_time); the first of a key
/// is ACCEPTED NEW, a repeat ACCEPTED REPLAY, and a value <c>MAYBE</c> is REJECTED UNKNOWN_LABEL_VALUE. A script can
/// answer a call differently; item overrides get (index, raw assertion).
/// </summary>
public sealed class StandInCm : BatchStandIn<ReceivedLabels>
{
    private readonly ConcurrentDictionary<string, string> recorded = new(StringComparer.Ordinal);

    private StandInCm()
    {
    }

    /// <summary>The assertions cm holds: one per key, with the bytes first recorded.</summary>
    public IReadOnlyCollection<string> Recorded => [.. recorded.Values];

    /// <summary>Starts a stand-in; <paramref name="script"/> returns null to let the default behaviour answer.</summary>
    public static async Task<StandInCm> StartAsync(Func<ReceivedLabels, StandInCm, Answer?>? script = null)
    {
        var standIn = new StandInCm();
        await standIn.ListenAsync(batch => script?.Invoke(batch, standIn));
        return standIn;
    }

    public static object ItemProblem(int index, int status, string title) =>
        new { index, status, problem = new { type = "about:blank", title, status } };

    protected override ReceivedLabels ReadBatch(ReceivedRequest request) =>
        new(request.Call, request.Method, request.Path, request.ApiKey, request.ContentType, RawItems(request));

    protected override IReadOnlyList<string> ItemsOf(ReceivedLabels batch) => batch.RawAssertions;

    protected override object Decide(int index, string item)
    {
        var key = ReceivedLabels.Field(item, "event_id") + "|" + ReceivedLabels.Field(item, "observed_time");
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        var (status, reason) = ReceivedLabels.Field(item, "value") == "MAYBE" ? ("REJECTED", "UNKNOWN_LABEL_VALUE")
            : recorded.TryAdd(key, item) ? ("ACCEPTED", "NEW")
            : ("ACCEPTED", "REPLAY");
        return new { index, ack = new { status, reason_code = reason, label_assertion_id = id, actor_id = "SYSTEM::stand_in_feed" } };
    }
}
