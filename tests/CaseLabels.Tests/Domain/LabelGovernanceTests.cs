using System.Collections.Concurrent;
using System.Text.Json;
using CaseLabels.Domain;
using CaseLabels.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Release;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Domain;

/// <summary>The label facts, with the object store and bus replaced by recorders.</summary>
public sealed class LabelGovernanceTests
{
    private readonly RecordingStore store = new();
    private readonly RecordingBus bus = new();
    private readonly LabelEvaluator evaluator = new(Policy);
    private readonly CmContext context = new(
        Policy, new PlatformRuntime("cm", PlatformEnvironment.LocalParity, ServiceRelease.Parse("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"), Policy.PolicyRev));

    private LabelGovernance Governance => new(new GovernanceFactEmitter(store, bus, NullLogger<GovernanceFactEmitter>.Instance), context, TimeProvider.System);

    [Fact]
    public async Task An_accepted_fact_is_derived_from_the_record_alone_so_a_replay_writes_the_same_bytes()
    {
        var record = evaluator.ToRecord(evaluator.Evaluate(Assertion(), Feed), Observed.AddMinutes(5), 0);

        await Governance.AcceptedAsync(record, CancellationToken.None);
        await Governance.AcceptedAsync(record, CancellationToken.None);

        var (key, bytes) = Assert.Single(store.Objects);
        var factId = GovernanceFact.ComputeFactId(GovernanceFactType.LabelAccepted, record.PlatformRunId, "cm", "accepted:" + record.LabelAssertionId);
        Assert.Equal(GovernanceFactEmitter.ObjectKey(record.PlatformRunId, factId), key);
        Assert.Equal(2, bus.Published.Count);
        Assert.All(bus.Published, published => Assert.Equal(bytes, published));
        using var fact = JsonDocument.Parse(bytes);
        Assert.Equal("LABEL_ACCEPTED", fact.RootElement.GetProperty("fact_type").GetString());
        Assert.Equal(Feed.ActorId, fact.RootElement.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal(Platform.Substrate.Pinning.UtcTimestamp.Format(record.RecordedAtUtc), fact.RootElement.GetProperty("ts_utc").GetString());
        Assert.Equal(context.RunConfigDigest, fact.RootElement.GetProperty("provenance").GetProperty("run_config_digest").GetString());
        Assert.Equal(Policy.PolicyRev.ContentDigest, fact.RootElement.GetProperty("provenance").GetProperty("config_revision").GetString());
        Assert.Empty(Platform.Testing.SchemaContract.Errors("governance_fact.v0.schema.json", fact.RootElement));
    }

    [Fact]
    public async Task Concurrent_emissions_of_one_accepted_fact_share_one_attempt()
    {
        var record = evaluator.ToRecord(evaluator.Evaluate(Assertion(), Feed), Observed, 0);
        var governance = Governance;
        store.Gate = new TaskCompletionSource();

        var waiters = Enumerable.Range(0, 10).Select(_ => governance.AcceptedAsync(record, CancellationToken.None)).ToList();
        store.Gate.SetResult();
        await Task.WhenAll(waiters);

        Assert.Equal(1, store.Creates);
        Assert.Single(bus.Published);
        // Once settled, the next emission (a later replay) tries again.
        await governance.AcceptedAsync(record, CancellationToken.None);
        Assert.Equal(2, store.Creates);
    }

    [Fact]
    public async Task Every_waiter_sees_a_failed_emission_and_the_next_one_retries()
    {
        var record = evaluator.ToRecord(evaluator.Evaluate(Assertion(), Feed), Observed, 0);
        var governance = Governance;
        store.Gate = new TaskCompletionSource();
        store.Fail = true;

        var waiters = Enumerable.Range(0, 3).Select(_ => governance.AcceptedAsync(record, CancellationToken.None)).ToList();
        store.Gate.SetResult();

        foreach (var waiter in waiters)
        {
            await Assert.ThrowsAsync<IOException>(() => waiter);
        }

        store.Fail = false;
        await governance.AcceptedAsync(record, CancellationToken.None);
        Assert.Single(store.Objects);
    }

    [Fact]
    public async Task A_rejected_fact_names_the_reason_the_caller_and_both_hashes()
    {
        var candidate = evaluator.Evaluate(Assertion(value: "NO_CHARGEBACK"), Analyst);

        await Governance.RejectedAsync(candidate, LabelReasonCode.PayloadHashMismatch, new string('a', 64), CancellationToken.None);

        using var fact = JsonDocument.Parse(Assert.Single(store.Objects).Value);
        var details = fact.RootElement.GetProperty("details");
        Assert.Equal("LABEL_REJECTED", fact.RootElement.GetProperty("fact_type").GetString());
        Assert.Equal(Analyst.ActorId, fact.RootElement.GetProperty("actor").GetProperty("actor_id").GetString());
        Assert.Equal("PAYLOAD_HASH_MISMATCH", details.GetProperty("reason_code").GetString());
        Assert.Equal(candidate.PayloadHash, details.GetProperty("payload_hash").GetString());
        Assert.Equal(new string('a', 64), details.GetProperty("recorded_payload_hash").GetString());
    }

    private sealed class RecordingStore : IObjectStore
    {
        private int creates;

        public TaskCompletionSource? Gate { get; set; }

        public volatile bool Fail;

        public int Creates => creates;

        public ConcurrentDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

        public async Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref creates);
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (Fail)
            {
                throw new IOException("object store down (test)");
            }

            return Objects.TryAdd(key, content.ToArray()) ? ObjectWriteOutcome.Created : ObjectWriteOutcome.AlreadyPresent;
        }

        public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => Task.FromResult(Objects.GetValueOrDefault(key));

        public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class RecordingBus : IEventBus
    {
        public ConcurrentQueue<byte[]> Published { get; } = new();

        public Task<EventBusPublishResult> PublishAsync(EventStream stream, string partitionKey, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
        {
            Published.Enqueue(record.ToArray());
            return Task.FromResult(new EventBusPublishResult(stream.StreamName, partitionKey, null, DateTimeOffset.UnixEpoch));
        }
    }
}
