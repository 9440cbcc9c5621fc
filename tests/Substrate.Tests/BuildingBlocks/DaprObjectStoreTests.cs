using System.Text;
using System.Text.Json;
using Dapr;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Tests.BuildingBlocks;

public sealed class DaprObjectStoreTests
{
    private static readonly byte[] Receipt = [0x00, 0xFF, 0x10, (byte)'{', 0x80, 0x7F];

    [Fact]
    public async Task Absent_key_is_created_as_base64_with_decode_flag_key_and_content_type()
    {
        var s3 = new InMemoryS3Binding();
        var store = new DaprObjectStore(s3.Invoker, "objectstore");

        var outcome = await store.CreateIfAbsentAsync("receipts/e1.json", Receipt, "application/octet-stream", CancellationToken.None);

        Assert.Equal(ObjectWriteOutcome.Created, outcome);
        Assert.Equal(["get", "create"], s3.Invoker.Requests.Select(r => r.Operation));
        var create = s3.Invoker.Requests[1];
        Assert.Equal("objectstore", create.BindingName);
        Assert.Equal(Convert.ToBase64String(Receipt), Encoding.ASCII.GetString(create.Data.Span));
        Assert.Equal("true", create.Metadata["decodeBase64"]);
        Assert.Equal("receipts/e1.json", create.Metadata["key"]);
        Assert.Equal("application/octet-stream", create.Metadata["Content-Type"]);
        Assert.Equal(Receipt, s3.Objects["receipts/e1.json"]);
    }

    [Fact]
    public async Task Same_bytes_again_are_already_present_and_not_rewritten()
    {
        var s3 = new InMemoryS3Binding();
        s3.Objects["k"] = Receipt;
        var store = new DaprObjectStore(s3.Invoker, "objectstore");

        var outcome = await store.CreateIfAbsentAsync("k", Receipt.ToArray(), "application/json", CancellationToken.None);

        Assert.Equal(ObjectWriteOutcome.AlreadyPresent, outcome);
        Assert.DoesNotContain(s3.Invoker.Requests, r => r.Operation == "create");
    }

    [Fact]
    public async Task Different_bytes_under_an_existing_key_conflict_and_leave_the_object_alone()
    {
        var s3 = new InMemoryS3Binding();
        s3.Objects["k"] = Receipt;
        var store = new DaprObjectStore(s3.Invoker, "objectstore");

        var ex = await Assert.ThrowsAsync<ObjectConflictException>(
            () => store.CreateIfAbsentAsync("k", "other"u8.ToArray(), "application/json", CancellationToken.None));

        Assert.Equal("k", ex.Key);
        Assert.Equal(Receipt, s3.Objects["k"]);
        Assert.DoesNotContain(s3.Invoker.Requests, r => r.Operation == "create");
    }

    [Fact]
    public async Task Get_asks_for_raw_bytes_and_maps_only_object_not_found_to_null()
    {
        var s3 = new InMemoryS3Binding();
        s3.Objects["present"] = Receipt;
        var store = new DaprObjectStore(s3.Invoker, "objectstore");

        Assert.Equal(Receipt, await store.GetAsync("present", CancellationToken.None));
        Assert.Null(await store.GetAsync("absent", CancellationToken.None));
        Assert.All(s3.Invoker.Requests, r => Assert.Equal("false", r.Metadata["encodeBase64"]));
    }

    [Fact]
    public async Task Other_get_failures_propagate()
    {
        var invoker = new FakeBindingInvoker(r => throw FakeBindingInvoker.SidecarError(
            r.BindingName, "s3 binding error: error downloading S3 object: operation error S3: GetObject, AccessDenied"));
        var store = new DaprObjectStore(invoker, "objectstore");

        await Assert.ThrowsAsync<DaprException>(() => store.GetAsync("k", CancellationToken.None));
    }

    [Fact]
    public async Task Listing_follows_markers_until_the_page_is_not_truncated()
    {
        var pages = new Dictionary<string, string>
        {
            [""] = """{"Contents":[{"Key":"r/b","Size":3},{"Key":"r/a","Size":1}],"IsTruncated":true,"NextMarker":null,"ResultMetadata":{}}""",
            ["r/a"] = """{"Contents":[{"Key":"r/c"}],"IsTruncated":true,"NextMarker":"r/c2"}""",
            ["r/c2"] = """{"Contents":[{"Key":"r/d"}],"IsTruncated":false,"NextMarker":null}""",
        };
        var requests = new List<JsonElement>();
        var invoker = new FakeBindingInvoker(r =>
        {
            var payload = JsonDocument.Parse(r.Data).RootElement.Clone();
            requests.Add(payload);
            return FakeBindingInvoker.Answer(r, Encoding.UTF8.GetBytes(pages[payload.GetProperty("marker").GetString()!]));
        });
        var store = new DaprObjectStore(invoker, "objectstore");

        var keys = await store.ListKeysAsync("r/", CancellationToken.None);

        Assert.Equal(["r/a", "r/b", "r/c", "r/d"], keys);
        Assert.Equal(["", "r/a", "r/c2"], requests.Select(p => p.GetProperty("marker").GetString()));
        Assert.All(requests, p =>
        {
            Assert.Equal("r/", p.GetProperty("prefix").GetString());
            Assert.Equal(1000, p.GetProperty("maxResults").GetInt32());
        });
        Assert.All(invoker.Requests, r => Assert.Equal("list", r.Operation));
    }

    [Fact]
    public void List_page_parses_the_go_sdk_v2_field_names_with_nulls()
    {
        const string json = """
            {"CommonPrefixes":null,"Contents":[{"ChecksumAlgorithm":null,"ETag":"\"abc\"","Key":"a/1","LastModified":"2026-01-01T00:00:00Z","Owner":null,"Size":12,"StorageClass":"STANDARD"}],
             "Delimiter":"","EncodingType":"","IsTruncated":null,"Marker":"","MaxKeys":1000,"Name":"platform-local","NextMarker":null,"Prefix":"a/","RequestCharged":"","ResultMetadata":{}}
            """;

        var page = S3ListPage.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(["a/1"], page.Keys);
        Assert.Null(page.NextMarker);
    }

    [Fact]
    public void A_truncated_page_without_any_key_is_rejected_instead_of_looping()
    {
        Assert.Throws<InvalidDataException>(() => S3ListPage.Parse("""{"Contents":null,"IsTruncated":true}"""u8.ToArray()));
    }

    [Fact]
    public async Task Presign_sends_the_ttl_as_a_go_duration_and_reads_presignURL()
    {
        var invoker = new FakeBindingInvoker(r => FakeBindingInvoker.Answer(
            r, """{"presignURL":"http://127.0.0.1:54568/platform-local/k?X-Amz-Expires=900"}"""u8.ToArray()));
        var store = new DaprObjectStore(invoker, "objectstore");

        var url = await store.PresignGetAsync("k", TimeSpan.FromMinutes(15), CancellationToken.None);

        Assert.Equal("http://127.0.0.1:54568/platform-local/k?X-Amz-Expires=900", url.ToString());
        var request = Assert.Single(invoker.Requests);
        Assert.Equal("presign", request.Operation);
        Assert.Equal("900s", request.Metadata["presignTTL"]);
        Assert.Equal("k", request.Metadata["key"]);
    }

    [Theory]
    [InlineData(900_000, "900s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(1, "1ms")]
    [InlineData(604_800_000, "604800s")]
    public void Go_duration_uses_whole_seconds_or_milliseconds(long milliseconds, string expected)
    {
        Assert.Equal(expected, DaprObjectStore.FormatGoDuration(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Go_duration_rejects_zero_and_more_than_seven_days()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DaprObjectStore.FormatGoDuration(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => DaprObjectStore.FormatGoDuration(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Deleting_a_missing_object_is_not_an_error()
    {
        var invoker = new FakeBindingInvoker(r => throw FakeBindingInvoker.SidecarError(r.BindingName, "object not found"));
        var store = new DaprObjectStore(invoker, "objectstore");

        await store.DeleteAsync("gone", CancellationToken.None);

        Assert.Equal("delete", Assert.Single(invoker.Requests).Operation);
    }
}
