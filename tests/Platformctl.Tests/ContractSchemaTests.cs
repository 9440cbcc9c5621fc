using System.Text.Json;
using Platform.Testing;
using Platformctl.Produce.Contracts;

namespace Platformctl.Tests;

/// <summary>
/// What the producer sends is what IG's contract files accept: the envelope schema, the payload schema and schema
/// versions that schemas/ig_policy/schema_policy.json names for each event_type, and the class's required pins.
/// </summary>
public sealed class ContractSchemaTests
{
    private const string EnvelopeSchema = "event_envelope.v1.schema.json";

    [Fact]
    public void Every_envelope_conforms_to_the_envelope_schema_and_its_payload_schema()
    {
        using var schemaPolicy = Read("ig_policy/schema_policy.json");
        var policies = schemaPolicy.RootElement.GetProperty("event_types");
        foreach (var envelope in Envelopes())
        {
            using var document = JsonDocument.Parse(envelope.ToCanonicalJson());
            var root = document.RootElement;
            Assert.Empty(SchemaContract.Errors(EnvelopeSchema, root));
            var policy = policies.GetProperty(envelope.EventType);
            Assert.Contains(
                envelope.SchemaVersion,
                policy.GetProperty("allowed_schema_versions").EnumerateArray().Select(v => v.GetString()));
            Assert.Empty(SchemaContract.Errors(policy.GetProperty("payload_schema_ref").GetString()!, root.GetProperty("payload")));
        }
    }

    [Fact]
    public void Every_envelope_carries_the_pins_its_class_requires()
    {
        using var classMap = Read("ig_policy/class_map.json");
        var map = classMap.RootElement;
        foreach (var envelope in Envelopes())
        {
            using var document = JsonDocument.Parse(envelope.ToCanonicalJson());
            var eventClass = map.GetProperty("event_types").GetProperty(envelope.EventType).GetString()!;
            foreach (var pin in map.GetProperty("classes").GetProperty(eventClass).GetProperty("required_pins").EnumerateArray())
            {
                Assert.True(document.RootElement.TryGetProperty(pin.GetString()!, out _), $"{envelope.EventType} lacks the pin {pin}");
            }
        }
    }

    [Fact]
    public void The_schemas_do_refuse_an_envelope_outside_the_contract()
    {
        var transaction = Envelopes().First(e => e.EventType == EventEnvelope.TransactionType);
        var payload = (TransactionPayload)transaction.Payload;
        using var extraField = JsonDocument.Parse(transaction.ToCanonicalJson()[..^1].Concat(""","extra":1}"""u8.ToArray()).ToArray());
        using var badAmount = JsonDocument.Parse((transaction with { Payload = payload with { Amount = 0.001m } }).ToCanonicalJson());

        Assert.NotEmpty(SchemaContract.Errors(EnvelopeSchema, extraField.RootElement));
        Assert.NotEmpty(SchemaContract.Errors("payloads/transaction.v1.schema.json", badAmount.RootElement.GetProperty("payload")));
    }

    /// <summary>The first thousand flows and every fraudulent one of a week, so that every campaign's shape is covered.</summary>
    private static IEnumerable<EventEnvelope> Envelopes() =>
        TestScenarios.Flows(42).Where((f, i) => i < 1_000 || f.Truth.IsFraud).SelectMany(f => new[] { f.Anchor, f.Transaction });

    private static JsonDocument Read(string schemaFile) => JsonDocument.Parse(File.ReadAllBytes(SchemaContract.PathOf(schemaFile)));
}
