using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Governance;

public class GovernanceFactEmitterTests
{
    private readonly InMemoryObjectStore store = new();
    private readonly RecordingEventBus bus = new();

    private GovernanceFactEmitter Emitter => new(store, bus, NullLogger<GovernanceFactEmitter>.Instance);

    [Fact]
    public async Task Writes_the_fact_once_under_the_run_then_publishes_it_on_the_governance_stream()
    {
        var fact = GovernanceFactTests.PolicyRevChanged(new string('1', 64));

        var emission = await Emitter.EmitAsync(fact, CancellationToken.None);

        var key = $"{GovernanceFactTests.RunId}/obs/governance/{fact.FactId}.json";
        Assert.Equal(key, emission.ObjectKey);
        Assert.Equal(ObjectWriteOutcome.Created, emission.Outcome);
        Assert.Equal(CanonicalJson.Serialize(fact), store.Objects[key]);
        var (stream, partitionKey, record) = Assert.Single(bus.Published);
        Assert.Equal(PlatformNames.Streams.Governance, stream);
        Assert.Equal(GovernanceFactTests.RunId, partitionKey);
        Assert.Equal(store.Objects[key], record);
        Assert.Equal(fact.FactId, JsonDocument.Parse(record).RootElement.GetProperty("fact_id").GetString());
    }

    [Fact]
    public async Task Re_emitting_the_same_fact_is_AlreadyPresent_not_an_error()
    {
        var fact = GovernanceFactTests.PolicyRevChanged(new string('1', 64));
        await Emitter.EmitAsync(fact, CancellationToken.None);

        var again = await Emitter.EmitAsync(fact, CancellationToken.None);

        Assert.Equal(ObjectWriteOutcome.AlreadyPresent, again.Outcome);
        Assert.Single(store.Objects);
        Assert.Equal(2, bus.Published.Count);
    }

    [Fact]
    public async Task A_retry_with_a_later_timestamp_keeps_the_first_record()
    {
        var first = GovernanceFactTests.PolicyRevChanged(new string('1', 64));
        var retry = GovernanceFactTests.PolicyRevChanged(new string('1', 64), GovernanceFactTests.At.AddMinutes(1));
        await Emitter.EmitAsync(first, CancellationToken.None);

        var emission = await Emitter.EmitAsync(retry, CancellationToken.None);

        Assert.Equal(ObjectWriteOutcome.AlreadyPresent, emission.Outcome);
        Assert.Equal(CanonicalJson.Serialize(first), store.Objects[emission.ObjectKey]);
        Assert.All(bus.Published, published => Assert.Equal(CanonicalJson.Serialize(first), published.Record));
    }

    [Fact]
    public async Task A_failed_publish_surfaces_and_the_retry_publishes_the_stored_fact()
    {
        var fact = GovernanceFactTests.PolicyRevChanged(new string('1', 64));
        bus.FailuresToInject = 1;

        await Assert.ThrowsAsync<EventBusPublishException>(() => Emitter.EmitAsync(fact, CancellationToken.None));
        Assert.Single(store.Objects);
        Assert.Empty(bus.Published);

        var retry = await Emitter.EmitAsync(fact, CancellationToken.None);

        Assert.Equal(ObjectWriteOutcome.AlreadyPresent, retry.Outcome);
        Assert.Single(bus.Published);
    }

    [Fact]
    public async Task Distinct_occurrences_are_distinct_objects()
    {
        await Emitter.EmitAsync(GovernanceFactTests.PolicyRevChanged(new string('1', 64)), CancellationToken.None);
        await Emitter.EmitAsync(GovernanceFactTests.PolicyRevChanged(new string('2', 64)), CancellationToken.None);

        var keys = await store.ListKeysAsync($"{GovernanceFactTests.RunId}/obs/governance/", CancellationToken.None);
        Assert.Equal(2, keys.Count);
    }

    [Fact]
    public async Task An_invalid_fact_writes_and_publishes_nothing()
    {
        var fact = GovernanceFactTests.PolicyRevChanged(new string('1', 64)) with { Pins = new GovernancePins("") };

        await Assert.ThrowsAsync<InvalidGovernanceFactException>(() => Emitter.EmitAsync(fact, CancellationToken.None));

        Assert.Empty(store.Objects);
        Assert.Empty(bus.Published);
    }
}
