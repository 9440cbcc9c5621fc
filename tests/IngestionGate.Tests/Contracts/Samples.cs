using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using IngestionGate.Tests.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Identity;

namespace IngestionGate.Tests.Contracts;

/// <summary>Receipts and quarantine records of every kind, built the way the service builds them.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset At = new DateTimeOffset(2026, 11, 27, 21, 35, 4, TimeSpan.Zero).AddTicks(1234567);

    public static AdmissionRecord AdmittedRow(string eventId = "evt-0001")
    {
        var row = AdmissionRecord.InFlight(AdmissionRecordTests.Admissible(eventId), TestPolicy.Shipped.PolicyRev, At);
        return row.Admit(AdmissionRecordTests.Published(row, At), At.AddMilliseconds(5));
    }

    public static Receipt Admit() => Receipt.ForAdmitted(AdmittedRow(), TestPolicy.Provenance);

    public static Receipt Duplicate(ActorContext? caller = null)
    {
        var envelope = Envelopes.Transaction();
        envelope["producer"] = "SYSTEM::someone-else";
        var resubmitted = Assert.IsType<Admissible>(TestPolicy.Evaluator.Evaluate(envelope.Bytes(), caller ?? Envelopes.TrafficProducer));
        return Receipt.ForDuplicate(AdmittedRow(), resubmitted, TestPolicy.Shipped.PolicyRev, TestPolicy.Provenance);
    }

    /// <summary>A quarantine of <paramref name="body"/> sent by the traffic producer, its record and receipt.</summary>
    public static (Quarantine Quarantine, QuarantineRecord Record, Receipt Receipt) Quarantined(byte[] body)
    {
        var quarantine = Assert.IsType<Quarantine>(TestPolicy.Evaluator.Evaluate(body, Envelopes.TrafficProducer));
        return Records(quarantine);
    }

    public static (Quarantine Quarantine, QuarantineRecord Record, Receipt Receipt) Records(Quarantine quarantine)
    {
        var record = QuarantineRecord.Create(quarantine, TestPolicy.Shipped.PolicyRev, TestPolicy.Provenance, At);
        return (quarantine, record, Receipt.ForQuarantine(quarantine, record));
    }

    /// <summary>Bodies that reach each kind of quarantine.</summary>
    public static TheoryData<string> QuarantineKinds => [.. Bodies.Keys];

    public static byte[] Body(string kind) => Bodies[kind]();

    private static readonly Dictionary<string, Func<byte[]>> Bodies = new(StringComparer.Ordinal)
    {
        ["not an object"] = () => "[1,2]"u8.ToArray(),
        ["duplicate members"] = () => """{"event_id":"a","event_id":"b"}"""u8.ToArray(),
        ["envelope invalid, valid run"] = () => Mutated(e => e["ts_utc"] = "yesterday"),
        ["envelope invalid, no run, actor claim"] = () => Mutated(e => { e.Remove("platform_run_id"); e["actor_id"] = "HUMAN::mallory"; e.Remove("ts_utc"); }),
        ["pins missing, no run"] = () => Mutated(e => e.Remove("platform_run_id")),
        ["schema policy missing"] = () => Mutated(e => e["event_type"] = "refund"),
        ["schema version required"] = () => Mutated(e => e.Remove("schema_version")),
        ["schema fail with actor claim"] = () => Mutated(e => e["payload"]!["actor_id"] = "HUMAN::mallory"),
        ["no payload"] = () => Mutated(e => e.Remove("payload")),
    };

    private static byte[] Mutated(Action<JsonObject> mutate)
    {
        var envelope = Envelopes.Transaction();
        mutate(envelope);
        return envelope.Bytes();
    }

    public static JsonElement Json<T>(T value) => JsonSerializer.SerializeToElement(value, PlatformJson.Options);

    public static JsonElement Tampered<T>(T value, Action<JsonObject> tamper)
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(value, PlatformJson.Options))!.AsObject();
        tamper(node);
        return JsonSerializer.SerializeToElement(node);
    }
}
