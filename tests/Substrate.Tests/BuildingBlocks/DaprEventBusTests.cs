using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Tests.BuildingBlocks;

public sealed class DaprEventBusTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Publishes_through_the_stream_output_binding_with_the_partition_key()
    {
        var invoker = new FakeBindingInvoker(r => FakeBindingInvoker.Answer(r));
        var bus = new DaprEventBus(invoker, new FixedTime(Now));
        byte[] record = [1, 2, 3];

        var result = await bus.PublishAsync(PlatformNames.Streams.Traffic, "merchant-42", record, CancellationToken.None);

        var request = Assert.Single(invoker.Requests);
        Assert.Equal("eb-traffic-out", request.BindingName);
        Assert.Equal("create", request.Operation);
        Assert.Equal("merchant-42", request.Metadata["partitionKey"]);
        Assert.Equal(record, request.Data.ToArray());
        Assert.Equal(new EventBusPublishResult("fp.bus.traffic.v1", "merchant-42", null, Now), result);
    }

    [Fact]
    public async Task A_sidecar_failure_becomes_an_EventBusPublishException_naming_the_stream()
    {
        var failure = FakeBindingInvoker.SidecarError("eb-rtdl-out", "ResourceNotFoundException: stream not found");
        var bus = new DaprEventBus(new FakeBindingInvoker(_ => throw failure), new FixedTime(Now));

        var ex = await Assert.ThrowsAsync<EventBusPublishException>(
            () => bus.PublishAsync(PlatformNames.Streams.Decisions, "k", new byte[] { 1 }, CancellationToken.None));

        Assert.Equal("fp.bus.rtdl.v1", ex.Stream);
        Assert.Same(failure, ex.InnerException);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_missing_partition_key_is_refused_rather_than_randomised(string? partitionKey)
    {
        var invoker = new FakeBindingInvoker(r => FakeBindingInvoker.Answer(r));
        var bus = new DaprEventBus(invoker, new FixedTime(Now));

        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => bus.PublishAsync(PlatformNames.Streams.Traffic, partitionKey!, new byte[] { 1 }, CancellationToken.None));
        Assert.Empty(invoker.Requests);
    }

    [Fact]
    public async Task A_partition_key_longer_than_kinesis_allows_is_refused()
    {
        var bus = new DaprEventBus(new FakeBindingInvoker(r => FakeBindingInvoker.Answer(r)), new FixedTime(Now));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => bus.PublishAsync(
            PlatformNames.Streams.Traffic, new string('k', DaprEventBus.MaxPartitionKeyLength + 1), new byte[] { 1 }, CancellationToken.None));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
