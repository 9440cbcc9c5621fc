using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Tests.BuildingBlocks;

public sealed class DaprStateStoreTests
{
    private sealed record Admission(string EventId, int AttemptCount);

    [Fact]
    public void Ttl_becomes_ttlInSeconds_rounded_up()
    {
        Assert.Null(DaprStateStore.TtlMetadata(null));
        Assert.Equal("90", DaprStateStore.TtlMetadata(TimeSpan.FromSeconds(90))!["ttlInSeconds"]);
        Assert.Equal("2", DaprStateStore.TtlMetadata(TimeSpan.FromMilliseconds(1001))!["ttlInSeconds"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => DaprStateStore.TtlMetadata(TimeSpan.Zero));
    }

    [Fact]
    public void Transaction_operations_carry_snake_case_json_etags_and_ttl()
    {
        var requests = DaprStateStore.ToTransaction(
        [
            StateWrite.Upsert("a", new Admission("e-1", 2), etag: "etag-1", timeToLive: TimeSpan.FromHours(1)),
            StateWrite.Delete("b", etag: "etag-2"),
        ]);

        var upsert = requests[0];
        Assert.Equal(StateOperationType.Upsert, upsert.OperationType);
        Assert.Equal("etag-1", upsert.ETag);
        Assert.Equal("3600", upsert.Metadata!["ttlInSeconds"]);
        var json = JsonDocument.Parse(upsert.Value).RootElement;
        Assert.Equal("e-1", json.GetProperty("event_id").GetString());
        Assert.Equal(2, json.GetProperty("attempt_count").GetInt32());

        var delete = requests[1];
        Assert.Equal(StateOperationType.Delete, delete.OperationType);
        Assert.Null(delete.Value);
        Assert.Equal("etag-2", delete.ETag);
    }

    [Fact]
    public void An_insert_is_a_first_write_upsert_without_etag_and_others_carry_no_concurrency_option()
    {
        var requests = DaprStateStore.ToTransaction(
        [
            StateWrite.Insert("a", new Admission("e-1", 1)),
            StateWrite.Upsert("b", new Admission("e-2", 1)),
        ]);

        Assert.Equal(StateOperationType.Upsert, requests[0].OperationType);
        Assert.Null(requests[0].ETag);
        Assert.Equal(ConcurrencyMode.FirstWrite, requests[0].Options!.Concurrency);
        Assert.Null(requests[1].Options);
    }

    [Theory]
    [InlineData(StatusCode.Aborted, "failed saving state in state store ig-admission: possible etag mismatch. error from state store", true)]
    [InlineData(StatusCode.Internal, "error while executing state transaction: possible etag mismatch. error from state store", true)]
    [InlineData(StatusCode.Internal, "failed saving state in state store ig-admission: no item was updated", true)]
    [InlineData(StatusCode.Internal, "failed saving state in state store ig-admission: connection refused", false)]
    [InlineData(StatusCode.Unavailable, "possible etag mismatch", false)]
    public void Conflicts_are_told_apart_from_failures(StatusCode code, string detail, bool conflict)
    {
        var ex = new DaprException("State operation failed", new RpcException(new Status(code, detail)));

        Assert.Equal(conflict, DaprErrors.IsStateConflict(ex));
    }

    [Theory]
    [InlineData("error invoking output binding objectstore: object not found", true)]
    [InlineData("error invoking output binding objectstore: s3 binding error: error downloading S3 object: object not found in cache", false)]
    [InlineData("error invoking output binding objectstore: s3 binding error: uploading failed", false)]
    public void Only_the_bindings_not_found_text_means_absent(string detail, bool notFound)
    {
        var ex = new DaprException("Binding operation failed", new RpcException(new Status(StatusCode.Internal, detail)));

        Assert.Equal(notFound, DaprErrors.IsObjectNotFound(ex));
    }
}
