using System.Text.Json;
using Dapr;
using Dapr.Client;
using Dapr.Common.Exceptions;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Testing;
using GrpcDapr = Dapr.Client.Autogen.Grpc.v1.Dapr;
using GrpcProto = Dapr.Client.Autogen.Grpc.v1;

namespace DaprHarness.Tests.State;

public sealed class IgStateFixture : IAsyncLifetime
{
    public HarnessInstance Ig { get; private set; } = null!;

    public async Task InitializeAsync() => Ig = await HarnessInstance.StartAsync("ig", StateTestResources.LocalParityStateStoresPath);

    public async Task DisposeAsync() => await Ig.DisposeAsync();
}

/// <summary>
/// The state API through the real Dapr.Client 1.19.0 against the harness, app <c>ig</c> on the local_parity
/// <c>ig-admission</c> store (state.postgresql v2, table <c>ig_admission_state</c>). Sources pinned:
/// components-contrib release-1.17 state/postgresql/v2/postgresql.go (CC-v2), dapr/dapr release-1.17
/// pkg/api/grpc/grpc.go (RT-grpc), pkg/components/state/state_config.go (RT-keys), pkg/api/errors/state.go
/// (RT-errors), dotnet-sdk src/Dapr.Client/DaprClientGrpc.cs (SDK).
/// </summary>
public sealed class StateConformanceTests(IgStateFixture fixture) : IClassFixture<IgStateFixture>
{
    private const string Store = "ig-admission";
    private const string Table = "ig_admission_state";

    private static readonly JsonSerializerOptions SdkJson = new(JsonSerializerDefaults.Web);

    private DaprClient Client => fixture.Ig.Client;

    private static string NewKey(string label) => $"{label}-{Guid.NewGuid():N}";

    // CC-v2 Set/Get: the value is stored as the raw bytes the SDK sends (its Web-default JSON), keyed "<appId>||<key>"
    // (RT-keys default strategy appid), with a random UUID ETag.
    [Fact]
    public async Task Save_stores_the_sdk_bytes_under_the_app_prefixed_key_with_a_uuid_etag()
    {
        var key = NewKey("roundtrip");
        var value = new Admission("a-1", 42);
        await Client.SaveStateAsync(Store, key, value);

        var (read, etag) = await Client.GetStateAndETagAsync<Admission>(Store, key);
        Assert.Equal(value, read);
        Assert.True(Guid.TryParseExact(etag, "D", out var etagGuid));

        var row = await StateTestResources.RawRowAsync(Table, $"ig||{key}");
        Assert.NotNull(row);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(value, SdkJson), row.Value.Value);
        Assert.Equal(etagGuid, row.Value.ETag);
        Assert.Null(row.Value.ExpiresAt);
        Assert.Null(await StateTestResources.RawRowAsync(Table, key));
    }

    // CC-v2 doSet: every write sets etag = gen_random_uuid().
    [Fact]
    public async Task Every_write_regenerates_the_etag()
    {
        var key = NewKey("etag-regen");
        await Client.SaveStateAsync(Store, key, new Admission("a", 1));
        var (_, first) = await Client.GetStateAndETagAsync<Admission>(Store, key);
        await Client.SaveStateAsync(Store, key, new Admission("a", 1));
        var (_, second) = await Client.GetStateAndETagAsync<Admission>(Store, key);
        Assert.True(await Client.TrySaveStateAsync(Store, key, new Admission("a", 2), second));
        var (_, third) = await Client.GetStateAndETagAsync<Admission>(Store, key);

        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
    }

    // CC-v2 doSet with ETag: UPDATE … WHERE etag = $3; 0 rows → ETagError mismatch; RT-grpc getStateErrorCode →
    // Aborted; SDK TrySaveStateAsync returns false only for Aborted.
    [Fact]
    public async Task Stale_etag_write_returns_false_and_keeps_the_value()
    {
        var key = NewKey("stale");
        await Client.SaveStateAsync(Store, key, new Admission("a", 1));
        var (_, stale) = await Client.GetStateAndETagAsync<Admission>(Store, key);
        Assert.True(await Client.TrySaveStateAsync(Store, key, new Admission("a", 2), stale));

        Assert.False(await Client.TrySaveStateAsync(Store, key, new Admission("a", 3), stale));
        Assert.Equal(new Admission("a", 2), await Client.GetStateAsync<Admission>(Store, key));
    }

    // CC-v2 doSet: "When an etag is provided do an update - no insert."
    [Fact]
    public async Task Etag_write_to_a_missing_key_never_inserts()
    {
        var key = NewKey("etag-insert");
        Assert.False(await Client.TrySaveStateAsync(Store, key, new Admission("a", 1), Guid.NewGuid().ToString()));

        Assert.Null(await Client.GetStateAsync<Admission>(Store, key));
        Assert.Null(await StateTestResources.RawRowAsync(Table, $"ig||{key}"));
    }

    // CC-v2 doSet: uuid.Parse fails → NewETagError(ETagMismatch, err), i.e. a mismatch (Aborted), not ETagInvalid.
    [Fact]
    public async Task Non_uuid_etag_is_an_etag_mismatch()
    {
        var key = NewKey("bad-etag");
        await Client.SaveStateAsync(Store, key, new Admission("a", 1));

        Assert.False(await Client.TrySaveStateAsync(Store, key, new Admission("a", 2), "not-a-uuid"));
        Assert.False(await Client.TryDeleteStateAsync(Store, key, "17"));
        Assert.Equal(new Admission("a", 1), await Client.GetStateAsync<Admission>(Store, key));
    }

    // CC-v2 doSet without ETag and first-write: the upsert only replaces an expired row, else "no item was updated",
    // a plain error → RT-grpc SaveState → Internal (so DaprException, not a false from TrySave).
    [Fact]
    public async Task First_write_concurrency_refuses_a_second_write_without_etag()
    {
        var key = NewKey("first-write");
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await Client.SaveStateAsync(Store, key, new Admission("first", 1), firstWrite);

        var e = await Assert.ThrowsAsync<DaprException>(() => Client.SaveStateAsync(Store, key, new Admission("second", 2), firstWrite));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal($"failed saving state in state store {Store}: no item was updated", rpc.Status.Detail);
        await Assert.ThrowsAsync<DaprException>(() => Client.TrySaveStateAsync(Store, key, new Admission("third", 3), "", firstWrite));
        Assert.Equal(new Admission("first", 1), await Client.GetStateAsync<Admission>(Store, key));

        // Last-write (the default) still overwrites.
        await Client.SaveStateAsync(Store, key, new Admission("last", 4));
        Assert.Equal(new Admission("last", 4), await Client.GetStateAsync<Admission>(Store, key));
    }

    // CC-v2 Multi: several operations run in one PostgreSQL transaction; RT-grpc ExecuteStateTransaction maps every
    // failure (ETag mismatch included) to Internal.
    [Fact]
    public async Task Transaction_with_one_bad_etag_writes_nothing()
    {
        var existing = NewKey("txn-existing");
        var created = NewKey("txn-created");
        var deleted = NewKey("txn-deleted");
        await Client.SaveStateAsync(Store, existing, new Admission("x", 1));
        await Client.SaveStateAsync(Store, deleted, new Admission("d", 1));

        var e = await Assert.ThrowsAsync<DaprException>(() => Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest(created, Json(new Admission("c", 1)), StateOperationType.Upsert),
            new StateTransactionRequest(deleted, null, StateOperationType.Delete),
            new StateTransactionRequest(existing, Json(new Admission("x", 2)), StateOperationType.Upsert, Guid.NewGuid().ToString()),
        ]));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("error while executing state transaction: possible etag mismatch", rpc.Status.Detail, StringComparison.Ordinal);

        Assert.Null(await Client.GetStateAsync<Admission>(Store, created));
        Assert.Equal(new Admission("d", 1), await Client.GetStateAsync<Admission>(Store, deleted));
        Assert.Equal(new Admission("x", 1), await Client.GetStateAsync<Admission>(Store, existing));
    }

    [Fact]
    public async Task Transaction_applies_upserts_and_deletes_together()
    {
        var (upserted, deleted) = (NewKey("txn-up"), NewKey("txn-del"));
        await Client.SaveStateAsync(Store, deleted, new Admission("d", 1));
        var (_, etag) = await Client.GetStateAndETagAsync<Admission>(Store, deleted);

        await Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest(upserted, Json(new Admission("u", 1)), StateOperationType.Upsert),
            new StateTransactionRequest(deleted, null, StateOperationType.Delete, etag),
        ]);

        Assert.Equal(new Admission("u", 1), await Client.GetStateAsync<Admission>(Store, upserted));
        Assert.Null(await Client.GetStateAsync<Admission>(Store, deleted));
    }

    // CC-v2 Get: no row → empty GetResponse; RT-grpc returns empty data and etag; SDK returns default.
    [Fact]
    public async Task Missing_key_reads_as_default_with_empty_etag()
    {
        var (value, etag) = await Client.GetStateAndETagAsync<Admission>(Store, NewKey("missing"));
        Assert.Null(value);
        Assert.Equal("", etag);
    }

    // RT-errors NotFound: InvalidArgument "state store X is not found", ErrorInfo reason DAPR_STATE_NOT_FOUND.
    [Fact]
    public async Task Unknown_store_is_invalid_argument_state_store_not_found()
    {
        var e = await Assert.ThrowsAsync<DaprException>(() => Client.GetStateAsync<Admission>("no-such-store", "k"));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state store no-such-store is not found", rpc.Status.Detail);
        var errorInfo = Assert.Single(RichDetails<ErrorInfo>(rpc));
        Assert.Equal(("DAPR_STATE_NOT_FOUND", "dapr.io"), (errorInfo.Reason, errorInfo.Domain));

        // Dapr.Common 1.19 matches type URLs spelled "Google.rpc.*" while daprd (Go anypb) sends "google.rpc.*", so
        // TryGetExtendedErrorInfo finds the details but reports them as unknown, against real daprd too.
        Assert.True(e.TryGetExtendedErrorInfo(out var info));
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", Assert.IsType<DaprUnknownDetail>(Assert.Single(info.Details)).TypeUrl);
    }

    // RT-keys checkKeyIllegal: keys may not contain "||" → InvalidArgument with reason DAPR_STATE_ILLEGAL_KEY.
    [Fact]
    public async Task Key_containing_the_separator_is_refused()
    {
        var e = await Assert.ThrowsAsync<DaprException>(() => Client.SaveStateAsync(Store, "a||b", new Admission("a", 1)));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("input key/keyPrefix 'a||b' can't contain '||'", rpc.Status.Detail);
        Assert.Equal("DAPR_STATE_ILLEGAL_KEY", Assert.Single(RichDetails<ErrorInfo>(rpc)).Reason);
        Assert.Equal(Store, Assert.Single(RichDetails<ResourceInfo>(rpc)).ResourceName);
        Assert.Equal("a||b", Assert.Single(Assert.Single(RichDetails<BadRequest>(rpc)).FieldViolations).Field);
    }

    // CC-v2 has no Query API (Features() lacks QUERY_API); universal/state_query.go → QueryUnsupported (Internal).
    [Fact]
    public async Task Query_is_not_supported_by_the_v2_store()
    {
        var e = await Assert.ThrowsAsync<DaprException>(() => Client.QueryStateAsync<Admission>(Store, "{\"filter\":{}}"));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("state store does not support querying", rpc.Status.Detail);
        Assert.Equal("DAPR_STATE_QUERYING_NOT_SUPPORTED", Assert.Single(RichDetails<ErrorInfo>(rpc)).Reason);
    }

    // CC-v2 BulkGet: found rows first, then the missing keys with empty data/etag; RT-grpc strips the key prefix.
    [Fact]
    public async Task Bulk_get_returns_found_and_missing_keys()
    {
        var (k1, k2, missing) = (NewKey("bulk-1"), NewKey("bulk-2"), NewKey("bulk-missing"));
        await Client.SaveStateAsync(Store, k1, new Admission("one", 1));
        await Client.SaveStateAsync(Store, k2, new Admission("two", 2));

        var items = await Client.GetBulkStateAsync<Admission>(Store, [k1, missing, k2], parallelism: 3);

        Assert.Equal(3, items.Count);
        Assert.Equal(missing, items[^1].Key);
        Assert.Equal("", items[^1].ETag);
        Assert.Null(items[^1].Value);
        var found = items.Take(2).ToDictionary(i => i.Key);
        Assert.Equal(new Admission("one", 1), found[k1].Value);
        Assert.Equal(new Admission("two", 2), found[k2].Value);
        Assert.All(found.Values, i => Assert.True(Guid.TryParse(i.ETag, out _)));
    }

    // RT-grpc SaveState with several items: DefaultBulkStore runs them in parallel without a transaction; an ETag
    // failure (alone or among others) makes the call Aborted, while the other items are written.
    [Fact]
    public async Task Multi_item_save_is_not_transactional_and_reports_the_etag_failure()
    {
        var (good, guarded) = (NewKey("multi-good"), NewKey("multi-guarded"));
        await Client.SaveStateAsync(Store, guarded, new Admission("g", 1));

        var e = await Assert.ThrowsAsync<DaprException>(() => Client.SaveBulkStateAsync(Store,
        [
            new SaveStateItem<Admission>(good, new Admission("good", 1), null!),
            new SaveStateItem<Admission>(guarded, new Admission("g", 2), Guid.NewGuid().ToString()),
        ]));
        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(e.InnerException).StatusCode);

        Assert.Equal(new Admission("good", 1), await Client.GetStateAsync<Admission>(Store, good));
        Assert.Equal(new Admission("g", 1), await Client.GetStateAsync<Admission>(Store, guarded));
    }

    // Without any ETag failure a multi-item save that fails is Internal; the items that succeeded stay written.
    [Fact]
    public async Task Multi_item_save_with_a_non_etag_failure_is_internal()
    {
        var (good, bad) = (NewKey("multi-ok"), NewKey("multi-bad-ttl"));

        var e = await Assert.ThrowsAsync<DaprException>(() => Client.SaveBulkStateAsync(Store,
        [
            new SaveStateItem<Admission>(good, new Admission("ok", 1), null!),
            new SaveStateItem<Admission>(bad, new Admission("bad", 2), null!, metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "-2" }),
        ]));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.EndsWith("incorrect value for metadata 'ttlInSeconds': must be -1 or greater", rpc.Status.Detail, StringComparison.Ordinal);

        Assert.Equal(new Admission("ok", 1), await Client.GetStateAsync<Admission>(Store, good));
        Assert.Null(await Client.GetStateAsync<Admission>(Store, bad));
    }

    // CC-v2 doDelete: DELETE … AND etag = $2; not exactly one row → mismatch → Aborted → TryDeleteStateAsync false.
    [Fact]
    public async Task Delete_with_stale_etag_returns_false_and_current_etag_deletes()
    {
        var key = NewKey("delete");
        await Client.SaveStateAsync(Store, key, new Admission("a", 1));
        var (_, stale) = await Client.GetStateAndETagAsync<Admission>(Store, key);
        await Client.SaveStateAsync(Store, key, new Admission("a", 2));
        var (_, current) = await Client.GetStateAndETagAsync<Admission>(Store, key);

        Assert.False(await Client.TryDeleteStateAsync(Store, key, stale));
        Assert.NotNull(await StateTestResources.RawRowAsync(Table, $"ig||{key}"));
        Assert.True(await Client.TryDeleteStateAsync(Store, key, current));
        Assert.Null(await StateTestResources.RawRowAsync(Table, $"ig||{key}"));

        // Without an ETag a delete of a missing key succeeds.
        await Client.DeleteStateAsync(Store, key);
    }

    [Fact]
    public async Task Bulk_delete_removes_every_key()
    {
        var (k1, k2) = (NewKey("bulkdel-1"), NewKey("bulkdel-2"));
        await Client.SaveStateAsync(Store, k1, new Admission("a", 1));
        await Client.SaveStateAsync(Store, k2, new Admission("b", 2));
        var (_, etag2) = await Client.GetStateAndETagAsync<Admission>(Store, k2);

        await Client.DeleteBulkStateAsync(Store, [new BulkDeleteStateItem(k1, null!), new BulkDeleteStateItem(k2, etag2)]);

        var items = await Client.GetBulkStateAsync(Store, [k1, k2], null);
        Assert.Equal(new[] { k1, k2 }.Order(StringComparer.Ordinal), items.Select(i => i.Key).Order(StringComparer.Ordinal));
        Assert.All(items, i => Assert.Equal(("", ""), (i.Value, i.ETag)));
    }

    // CC-v2 doSet TTL: expires_at = now() + ttlInSeconds; Get filters expires_at >= now(); the response carries
    // ttlExpireTime (RFC 3339, UTC).
    [Fact]
    public async Task Ttl_sets_expires_at_and_the_entry_disappears_after_it()
    {
        var key = NewKey("ttl");
        await Client.SaveStateAsync(Store, key, new Admission("short", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });

        await using (var db = await StateTestResources.OpenDatabaseAsync())
        {
            await using var command = new Npgsql.NpgsqlCommand($"SELECT expires_at - created_at FROM {Table} WHERE key = $1", db);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = $"ig||{key}" });
            Assert.Equal(TimeSpan.FromSeconds(1), await command.ExecuteScalarAsync());
        }

        await Poll.UntilAsync(async () => await Client.GetStateAsync<Admission>(Store, key) is null, "the entry to expire", TimeSpan.FromSeconds(10));
        var (_, etag) = await Client.GetStateAndETagAsync<Admission>(Store, key);
        Assert.Equal("", etag);
    }

    [Fact]
    public async Task Get_reports_the_ttl_expire_time()
    {
        var key = NewKey("ttl-meta");
        await Client.SaveStateAsync(Store, key, new Admission("long", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "3600" });

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Ig.GrpcPort}");
        var response = await new GrpcDapr.DaprClient(channel).GetStateAsync(new GrpcProto.GetStateRequest { StoreName = Store, Key = key });

        var row = await StateTestResources.RawRowAsync(Table, $"ig||{key}");
        var expected = row!.Value.ExpiresAt!.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, response.Metadata["ttlExpireTime"]);
    }

    // components-contrib state/utils ParseTTL: not an integer → error → Internal.
    [Fact]
    public async Task Invalid_ttl_is_refused()
    {
        var e = await Assert.ThrowsAsync<DaprException>(() => Client.SaveStateAsync(Store, NewKey("bad-ttl"), new Admission("a", 1),
            metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "soon" }));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Contains("incorrect value for metadata 'ttlInSeconds'", rpc.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>The google.rpc details daprd puts in the grpc-status-details-bin trailer (dapr/kit errors).</summary>
    private static List<T> RichDetails<T>(RpcException rpc) where T : class, IMessage<T>, new()
    {
        var trailer = rpc.Trailers.GetValueBytes("grpc-status-details-bin");
        Assert.NotNull(trailer);
        var status = Google.Rpc.Status.Parser.ParseFrom(trailer);
        Assert.Equal((int)rpc.StatusCode, status.Code);
        var descriptor = new T().Descriptor;
        return status.Details.Where(d => d.Is(descriptor)).Select(d => d.Unpack<T>()).ToList();
    }

    internal static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, SdkJson);
}

public sealed record Admission(string Id, int Score);
