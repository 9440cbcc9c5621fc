using Platform.Substrate.Pinning;
using Platformctl.Produce.Contracts;
using Platformctl.Produce.Generation;

namespace Platformctl.Tests;

public sealed class LabelTests
{
    private static readonly string[] ChargebackValues = ["CHARGEBACK", "NO_CHARGEBACK"];

    private readonly IReadOnlyList<GeneratedFlow> flows = TestScenarios.Flows(42);

    [Fact]
    public void Every_fraudulent_transaction_and_only_those_is_charged_back()
    {
        var fraud = flows.Where(f => f.Truth.IsFraud).Select(f => f.Transaction.EventId).ToHashSet();
        var chargebacks = Labels().Where(l => l.Value == LabelRecord.Chargeback).Select(l => l.Label.EventId).ToList();

        Assert.Equal(fraud.Count, chargebacks.Count);
        Assert.True(fraud.SetEquals(chargebacks));
    }

    [Fact]
    public void No_chargeback_labels_cover_a_sample_of_legit_transactions_only()
    {
        var legit = flows.Where(f => !f.Truth.IsFraud).ToList();
        var legitIds = legit.Select(f => f.Transaction.EventId).ToHashSet();
        var confirmed = Labels().Where(l => l.Value == LabelRecord.NoChargeback).Select(l => l.Label.EventId).ToList();

        Assert.All(confirmed, id => Assert.Contains(id, legitIds));
        Assert.InRange((double)confirmed.Count / legit.Count, 0.04, 0.06);
    }

    [Fact]
    public void Labels_are_observed_days_after_the_transaction_they_are_effective_at()
    {
        foreach (var (flow, label) in flows.Where(f => f.Label is not null).Select(f => (f, f.Label!)))
        {
            var observed = UtcTimestamp.Parse(Field(label, "observed_time"));
            var effective = UtcTimestamp.Parse(Field(label, "effective_time"));
            Assert.Equal(UtcTimestamp.Format(flow.Transaction.TsUtc), Field(label, "effective_time"));
            Assert.True(observed > effective);
            var (min, max) = label.Value == LabelRecord.Chargeback ? (3, 45) : (46, 60);
            Assert.InRange(observed - effective, TimeSpan.FromDays(min), TimeSpan.FromDays(max));
        }
    }

    [Fact]
    public void Labels_name_their_subject_and_vocabulary()
    {
        Assert.All(flows.Where(f => f.Label is not null), flow =>
        {
            var label = flow.Label!;
            Assert.Equal(TestScenarios.RunId, Field(label, "platform_run_id"));
            Assert.Equal(flow.Transaction.EventId, Field(label, "event_id"));
            Assert.Equal("chargeback_status", Field(label, "label_type"));
            Assert.Contains(Field(label, "value"), ChargebackValues);
            Assert.Equal("EXTERNAL", Field(label, "source"));
            Assert.Equal("label_store.taxonomy.v0", Field(label, "taxonomy_version"));
            Assert.Equal(flow.Truth.CampaignName, Field(label, "campaign"));
        });
    }

    private IEnumerable<(string Value, LabelRecord Label)> Labels() =>
        flows.Where(f => f.Label is not null).Select(f => (Field(f.Label!, "value"), f.Label!));

    // Read from the serialized label: the file's field names are the contract, not the record's property names.
    private static string Field(LabelRecord label, string name)
    {
        using var document = System.Text.Json.JsonDocument.Parse(label.ToCanonicalJson());
        return document.RootElement.GetProperty(name).GetString()!;
    }
}
