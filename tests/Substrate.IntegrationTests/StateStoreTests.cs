using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.IntegrationTests.Infrastructure;

namespace Platform.Substrate.IntegrationTests;

public enum AdmissionDisposition
{
    Admitted = 1,
    QuarantinedDuplicate,
}

public sealed record AdmissionRecord(string EventId, int AttemptCount, AdmissionDisposition Disposition, string? ReceiptRef = null);

/// <summary>
/// <see cref="DaprStateStore"/> on <c>ig-admission</c> (state.postgresql v2) through app ig's sidecar. What landed is
/// read back from the v2 table <c>ig_admission_state</c>: keys are <c>ig||&lt;key&gt;</c> (daprd's default appid key
/// prefix), values the exact bytes Substrate serialized, ETags the row's uuid.
/// </summary>
public sealed class StateStoreTests(IgSidecar ig) : IClassFixture<IgSidecar>
{
    private const string Table = "ig_admission_state";

    private static readonly CancellationToken None = CancellationToken.None;

    private DaprStateStore Store => ig.Admission;

    private static string NewKey(string label) => $"it-{label}-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_first_write_inserts_once_and_refuses_the_second_writer()
    {
        var key = NewKey("first-write");
        var first = new AdmissionRecord("evt-1", 1, AdmissionDisposition.Admitted);

        Assert.True(await Store.TrySaveAsync(key, first, expectedETag: null, timeToLive: null, None));
        Assert.False(await Store.TrySaveAsync(key, first with { AttemptCount = 2 }, expectedETag: null, timeToLive: null, None));

        var entry = await Store.GetAsync<AdmissionRecord>(key, None);
        Assert.Equal(first, entry?.Value);
        var rows = await Backends.ScalarAsync<long>($"SELECT count(*) FROM {Table} WHERE key = $1", StoredKey(key));
        Assert.Equal(1, rows);
        var row = await StateRow.ReadAsync(Table, StoredKey(key));
        Assert.Equal("""{"event_id":"evt-1","attempt_count":1,"disposition":"admitted"}""", row?.Json);
        Assert.Equal(Guid.Parse(entry!.ETag), row!.ETag);
        Assert.Null(row.UpdatedAt);
    }

    [Fact]
    public async Task An_etag_guarded_update_wins_once_and_a_stale_etag_is_refused()
    {
        var key = NewKey("etag");
        Assert.True(await Store.TrySaveAsync(key, new AdmissionRecord("evt-2", 1, AdmissionDisposition.Admitted), null, null, None));
        var read = (await Store.GetAsync<AdmissionRecord>(key, None))!;

        var updated = read.Value with { AttemptCount = 2, ReceiptRef = "receipts/evt-2.json" };
        Assert.True(await Store.TrySaveAsync(key, updated, read.ETag, null, None));
        Assert.False(await Store.TrySaveAsync(key, read.Value with { AttemptCount = 99 }, read.ETag, null, None));

        var row = (await StateRow.ReadAsync(Table, StoredKey(key)))!;
        Assert.Equal("""{"event_id":"evt-2","attempt_count":2,"disposition":"admitted","receipt_ref":"receipts/evt-2.json"}""", row.Json);
        Assert.NotEqual(Guid.Parse(read.ETag), row.ETag);
        Assert.NotNull(row.UpdatedAt);
        var current = (await Store.GetAsync<AdmissionRecord>(key, None))!;
        Assert.Equal(updated, current.Value);
        Assert.Equal(row.ETag, Guid.Parse(current.ETag));

        // An ETag-guarded delete obeys the same rule.
        Assert.False(await Store.TryDeleteAsync(key, read.ETag, None));
        Assert.NotNull(await StateRow.ReadAsync(Table, StoredKey(key)));
        Assert.True(await Store.TryDeleteAsync(key, current.ETag, None));
        Assert.Null(await StateRow.ReadAsync(Table, StoredKey(key)));
        Assert.Null(await Store.GetAsync<AdmissionRecord>(key, None));
    }

    [Fact]
    public async Task GetBulk_returns_only_the_keys_that_exist()
    {
        var a = NewKey("bulk-a");
        var b = NewKey("bulk-b");
        var missing = NewKey("bulk-missing");
        Assert.True(await Store.TrySaveAsync(a, new AdmissionRecord("evt-a", 1, AdmissionDisposition.Admitted), null, null, None));
        Assert.True(await Store.TrySaveAsync(b, new AdmissionRecord("evt-b", 3, AdmissionDisposition.QuarantinedDuplicate), null, null, None));

        var entries = await Store.GetBulkAsync<AdmissionRecord>([a, missing, b], None);

        Assert.Equal([a, b], entries.Select(e => e.Key).Order(StringComparer.Ordinal).ToArray());
        foreach (var entry in entries)
        {
            var row = (await StateRow.ReadAsync(Table, StoredKey(entry.Key)))!;
            Assert.Equal(row.ETag, Guid.Parse(entry.ETag));
            Assert.Equal(row.Json, Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(entry.Value, PlatformJson.Options)));
        }

        Assert.Equal(AdmissionDisposition.QuarantinedDuplicate, entries.Single(e => e.Key == b).Value.Disposition);
        Assert.Empty(await Store.GetBulkAsync<AdmissionRecord>([missing], None));
    }

    [Fact]
    public async Task A_transaction_with_one_stale_etag_writes_nothing_and_a_fresh_one_writes_everything()
    {
        var x = NewKey("tx-x");
        var y = NewKey("tx-y");
        var z = NewKey("tx-z");
        Assert.True(await Store.TrySaveAsync(x, new AdmissionRecord("evt-x", 1, AdmissionDisposition.Admitted), null, null, None));
        Assert.True(await Store.TrySaveAsync(y, new AdmissionRecord("evt-y", 1, AdmissionDisposition.Admitted), null, null, None));
        var stale = (await Store.GetAsync<AdmissionRecord>(x, None))!;
        Assert.True(await Store.TrySaveAsync(x, stale.Value with { AttemptCount = 2 }, stale.ETag, null, None));
        var xBefore = (await StateRow.ReadAsync(Table, StoredKey(x)))!;

        var refused = await Store.TryExecuteTransactionAsync(
            [
                StateWrite.Upsert(z, new AdmissionRecord("evt-z", 1, AdmissionDisposition.Admitted)),
                StateWrite.Upsert(x, stale.Value with { AttemptCount = 3 }, stale.ETag),
                StateWrite.Delete(y),
            ],
            None);

        Assert.False(refused);
        Assert.Null(await StateRow.ReadAsync(Table, StoredKey(z)));
        Assert.Equal(xBefore, await StateRow.ReadAsync(Table, StoredKey(x)));
        Assert.NotNull(await StateRow.ReadAsync(Table, StoredKey(y)));

        var fresh = (await Store.GetAsync<AdmissionRecord>(x, None))!;
        var applied = await Store.TryExecuteTransactionAsync(
            [
                StateWrite.Upsert(z, new AdmissionRecord("evt-z", 1, AdmissionDisposition.Admitted)),
                StateWrite.Upsert(x, fresh.Value with { AttemptCount = 3 }, fresh.ETag),
                StateWrite.Delete(y),
            ],
            None);

        Assert.True(applied);
        Assert.Equal("""{"event_id":"evt-z","attempt_count":1,"disposition":"admitted"}""", (await StateRow.ReadAsync(Table, StoredKey(z)))?.Json);
        Assert.Equal("""{"event_id":"evt-x","attempt_count":3,"disposition":"admitted"}""", (await StateRow.ReadAsync(Table, StoredKey(x)))?.Json);
        Assert.Null(await StateRow.ReadAsync(Table, StoredKey(y)));
    }

    [Fact]
    public async Task A_ttl_is_rounded_up_to_whole_seconds_and_the_key_disappears_when_it_expires()
    {
        var key = NewKey("ttl");
        var value = new AdmissionRecord("evt-ttl", 1, AdmissionDisposition.Admitted);

        Assert.True(await Store.TrySaveAsync(key, value, null, TimeSpan.FromMilliseconds(200), None));

        // The sidecar sends ttlInSeconds=1; the store sets expires_at = now() + 1 s in the inserting statement.
        var lifetime = await Backends.ScalarAsync<TimeSpan>($"SELECT expires_at - created_at FROM {Table} WHERE key = $1", StoredKey(key));
        Assert.Equal(TimeSpan.FromSeconds(1), lifetime);
        Assert.Equal(value, (await Store.GetAsync<AdmissionRecord>(key, None))?.Value);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await Store.GetAsync<AdmissionRecord>(key, None) is not null)
        {
            await Task.Delay(100, timeout.Token);
        }

        Assert.Empty(await Store.GetBulkAsync<AdmissionRecord>([key], None));
        // An expired key is free again for a first-write.
        Assert.True(await Store.TrySaveAsync(key, value with { AttemptCount = 2 }, null, null, None));
        var row = (await StateRow.ReadAsync(Table, StoredKey(key)))!;
        Assert.Null(row.ExpiresAt);
        Assert.Equal("""{"event_id":"evt-ttl","attempt_count":2,"disposition":"admitted"}""", row.Json);
    }

    private static string StoredKey(string key) => $"ig||{key}";
}
