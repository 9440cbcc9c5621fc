using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace Platformctl.Produce.Contracts;

/// <summary>
/// One ground-truth label kept aside for the label feed (CONTRACTS §10, taxonomy <c>label_store.taxonomy.v0</c>):
/// the subject is (platform_run_id, event_id) of a transaction, effective at the transaction's time and observed
/// days later. <see cref="Campaign"/> names the fraud pattern that produced the transaction (<c>legit</c> otherwise).
/// </summary>
public sealed record LabelRecord(
    string PlatformRunId,
    string EventId,
    string LabelType,
    string Value,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset ObservedTime,
    [property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset EffectiveTime,
    string Source,
    string TaxonomyVersion,
    string ScenarioRunId,
    string TransactionId,
    string Campaign)
{
    public const string ChargebackStatus = "chargeback_status";
    public const string Chargeback = "CHARGEBACK";
    public const string NoChargeback = "NO_CHARGEBACK";
    public const string ExternalSource = "EXTERNAL";
    public const string Taxonomy = "label_store.taxonomy.v0";

    public byte[] ToCanonicalJson() => CanonicalJson.Serialize(this);
}
