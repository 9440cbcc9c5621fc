using Platform.Substrate.Pinning;
using Platformctl.Produce.Contracts;

namespace Platformctl.Produce.Generation;

/// <summary>One flow: its flow_anchor, then its transaction, the truth about it and its label when it has one.</summary>
public sealed record GeneratedFlow(long FlowIndex, EventEnvelope Anchor, EventEnvelope Transaction, PlannedTransaction Truth, LabelRecord? Label);

/// <summary>
/// A scenario's transactions as envelopes, each flow_anchor directly before its transaction. Event ids are
/// hex32 of H({manifest_fingerprint, sequence}) (anchor 2n, transaction 2n+1): every run of the scenario sends the
/// same ids, a longer run extends a shorter one, and a change of seed, scenario, generator or parameters changes
/// every id (never the same id with another payload). Labels are drawn from a stream of their own in flow order.
/// </summary>
public sealed class ScenarioTraffic
{
    private static readonly TimeSpan MinChargebackDelay = TimeSpan.FromDays(3);
    private static readonly TimeSpan MaxChargebackDelay = TimeSpan.FromDays(45);
    private static readonly TimeSpan MinNoChargebackDelay = TimeSpan.FromDays(46);
    private static readonly TimeSpan MaxNoChargebackDelay = TimeSpan.FromDays(60);

    private readonly ScenarioManifest manifest;
    private readonly string platformRunId;
    private readonly string scenarioRunId;
    private readonly string manifestFingerprint;
    private readonly string parameterHash;

    public ScenarioTraffic(ScenarioManifest manifest, string platformRunId)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!PlatformRunId.IsValid(platformRunId))
        {
            throw new ArgumentException($"'{platformRunId}' is not a platform_run_id (platform_YYYYMMDDTHHMMSSZ).", nameof(platformRunId));
        }

        if (manifest.Parameters.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(manifest));
        }

        this.manifest = manifest;
        this.platformRunId = platformRunId;
        scenarioRunId = manifest.ScenarioRunId();
        manifestFingerprint = manifest.ManifestFingerprint();
        parameterHash = manifest.ParameterHash();
    }

    public string ScenarioRunId => scenarioRunId;

    /// <summary>The scenario's flows, endless: take as many as the run needs.</summary>
    public IEnumerable<GeneratedFlow> Flows()
    {
        var population = Population.Build(scenarioRunId, manifest.Parameters);
        var labels = DeterministicRandom.Create(scenarioRunId, "labels");
        var flowIndex = 0L;
        foreach (var planned in new TrafficGenerator(scenarioRunId, manifest.Parameters, population).Transactions())
        {
            var anchorId = EventId(2 * flowIndex);
            var transactionId = EventId((2 * flowIndex) + 1);
            var flowId = "flow_" + anchorId;
            var anchor = Envelope(anchorId, EventEnvelope.FlowAnchorType, planned.SessionStartedAt, parent: null, new FlowAnchorPayload(
                flowId,
                planned.Account.AccountId,
                planned.DeviceId,
                planned.Channel,
                planned.SessionStartedAt,
                planned.IpCountry,
                planned.Merchant.MerchantId));
            var transaction = Envelope(transactionId, EventEnvelope.TransactionType, planned.At, parent: anchorId, new TransactionPayload(
                TransactionIdOf(transactionId),
                planned.Account.AccountId,
                planned.CardId,
                planned.Merchant.MerchantId,
                flowId,
                planned.Amount,
                planned.Merchant.Country.Currency,
                planned.Merchant.Category.Mcc,
                planned.Channel,
                planned.DeviceId,
                planned.IpCountry));
            yield return new GeneratedFlow(flowIndex, anchor, transaction, planned, Label(labels, planned, transactionId));
            flowIndex++;
        }
    }

    /// <summary>
    /// Every fraudulent transaction is charged back 3-45 days later; a sample of legit ones is confirmed
    /// NO_CHARGEBACK once the 45-day window has closed (46-60 days later).
    /// </summary>
    private LabelRecord? Label(DeterministicRandom random, PlannedTransaction planned, string eventId)
    {
        var (value, min, max) = planned.IsFraud
            ? (LabelRecord.Chargeback, MinChargebackDelay, MaxChargebackDelay)
            : random.Chance(manifest.Parameters.NoChargebackSampleRate)
                ? (LabelRecord.NoChargeback, MinNoChargebackDelay, MaxNoChargebackDelay)
                : (null, TimeSpan.Zero, TimeSpan.Zero);
        if (value is null)
        {
            return null;
        }

        var observed = PlannedTransaction.After(planned.At, random.Uniform(min.TotalSeconds, max.TotalSeconds));
        return new LabelRecord(
            platformRunId,
            eventId,
            LabelRecord.ChargebackStatus,
            value,
            observed,
            planned.At,
            LabelRecord.ExternalSource,
            LabelRecord.Taxonomy,
            scenarioRunId,
            TransactionIdOf(eventId),
            planned.CampaignName);
    }

    private EventEnvelope Envelope(string eventId, string eventType, DateTimeOffset at, string? parent, object payload) => new(
        eventId,
        eventType,
        at,
        manifestFingerprint,
        parameterHash,
        manifest.Seed,
        manifest.ScenarioId,
        platformRunId,
        scenarioRunId,
        EventEnvelope.SchemaVersionV1,
        parent,
        payload);

    private static string TransactionIdOf(string transactionEventId) => "txn_" + transactionEventId;

    private string EventId(long sequence) => Digests.Hex32(Digests.Of(new EventKey(manifestFingerprint, sequence)));

    private sealed record EventKey(string ManifestFingerprint, long Sequence);
}
