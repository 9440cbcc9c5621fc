using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Dapr;
using Dapr.Client;
using Dapr.Common.Exceptions;
using Grpc.Core;
using Platform.Testing;

namespace DaprHarness.Tests.Bindings;

/// <summary>
/// bindings.aws.s3 v1 through the real DaprClient against s3rver. Pins components-contrib@release-1.17
/// bindings/aws/s3/s3.go (operations, request metadata, response shapes, "object not found") and
/// dapr/dapr@release-1.17 pkg/api/grpc/grpc.go InvokeBinding (error code and message). Every object written is
/// checked with AWSSDK.S3 directly in s3rver.
/// </summary>
public sealed class S3BindingConformanceTests : IAsyncLifetime, IDisposable
{
    private const string Binding = "objectstore";

    private readonly string _prefix = $"binding-tests/{Guid.NewGuid():N}/";
    private readonly TempFiles _files = new();
    private HarnessInstance _harness = null!;
    private AmazonS3Client _s3 = null!;

    private static string Bucket => BackendEnvironment.Current.S3Bucket;

    public async Task InitializeAsync()
    {
        _s3 = BackendEnvironment.Current.S3Client();
        _harness = await HarnessInstance.StartAsync("ig", _files.Resources(("objectstore.yaml", BindingResources.S3Component())), configPath: null);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        var left = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = Bucket, Prefix = _prefix });
        foreach (var item in left.S3Objects ?? [])
        {
            await _s3.DeleteObjectAsync(Bucket, item.Key);
        }

        _s3.Dispose();
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Create_answers_location_null_versionID_and_the_key_and_stores_the_unquoted_string()
    {
        var key = _prefix + "greeting.txt";

        // InvokeBindingAsync<T> sends JSON ("\"hello, s3\""); create strips the quotes (commonutils.Unquote).
        await _harness.Client.InvokeBindingAsync(Binding, "create", "hello, s3", new Dictionary<string, string> { ["key"] = key });
        var response = await Invoke("create", JsonSerializer.SerializeToUtf8Bytes("hello again"), ("key", key));

        using var body = JsonDocument.Parse(response.Data);
        Assert.Equal(["location", "versionID"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"{BackendEnvironment.Current.S3Endpoint}/{Bucket}/{key}", body.RootElement.GetProperty("location").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("versionID").ValueKind);
        Assert.Equal(key, response.Metadata["key"]);
        Assert.Equal("hello again", Encoding.UTF8.GetString(await ReadObjectAsync(key)));
        // No Content-Type metadata: the Go SDK's default for a blob payload.
        Assert.Equal("application/octet-stream", (await _s3.GetObjectMetadataAsync(Bucket, key)).Headers.ContentType);
    }

    [Fact]
    public async Task Create_without_a_key_stores_under_a_generated_uuid()
    {
        var response = await Invoke("create", JsonSerializer.SerializeToUtf8Bytes("anonymous"));

        var key = response.Metadata["key"];
        Assert.True(Guid.TryParseExact(key, "D", out _), $"'{key}' is not a UUID");
        try
        {
            Assert.Equal("anonymous", Encoding.UTF8.GetString(await ReadObjectAsync(key)));
        }
        finally
        {
            await _s3.DeleteObjectAsync(Bucket, key);
        }
    }

    [Theory]
    [InlineData("\"quoted \\u00e9\"", "quoted é")]
    [InlineData("{\"a\": 1, \"b\": [true]}", "{\"a\": 1, \"b\": [true]}")]
    [InlineData("[1, 2]", "[1, 2]")]
    [InlineData("1.50", "1.5")]
    [InlineData("1e3", "1000")]
    [InlineData("true", "true")]
    [InlineData("null", "")]
    [InlineData("not json at all", "not json at all")]
    public async Task Create_keeps_json_documents_and_other_bytes_but_turns_json_scalars_into_text(string data, string stored)
    {
        var key = _prefix + Guid.NewGuid().ToString("N");

        await Invoke("create", Encoding.UTF8.GetBytes(data), ("key", key));

        Assert.Equal(stored, Encoding.UTF8.GetString(await ReadObjectAsync(key)));
    }

    [Fact]
    public async Task DecodeBase64_on_create_and_encodeBase64_on_get_carry_binary_content()
    {
        var key = _prefix + "binary.bin";
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        await Invoke("create", JsonSerializer.SerializeToUtf8Bytes(Convert.ToBase64String(bytes)), ("key", key), ("decodeBase64", "true"), ("Content-Type", "application/x-test"));

        Assert.Equal(bytes, await ReadObjectAsync(key));
        var metadata = await _s3.GetObjectMetadataAsync(Bucket, key);
        Assert.Equal("application/x-test", metadata.Headers.ContentType);
        var raw = await Invoke("get", [], ("key", key));
        Assert.Equal(bytes, raw.Data.ToArray());
        var encoded = await Invoke("get", [], ("key", key), ("encodeBase64", "true"));
        Assert.Equal(Convert.ToBase64String(bytes), Encoding.ASCII.GetString(encoded.Data.Span));
    }

    [Fact]
    public async Task Get_of_a_missing_object_fails_with_object_not_found_as_daprd_reports_it()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => Invoke("get", [], ("key", _prefix + "missing")));

        AssertBindingError(error, $"error invoking output binding {Binding}: object not found");
    }

    [Fact]
    public async Task Get_delete_and_presign_require_the_key_metadata()
    {
        foreach (var operation in new[] { "get", "delete", "presign" })
        {
            var error = await Assert.ThrowsAsync<DaprException>(() => Invoke(operation, [], ("presignTTL", "1m")));
            AssertBindingError(error, $"error invoking output binding {Binding}: s3 binding error: required metadata 'key' missing");
        }
    }

    [Fact]
    public async Task List_answers_the_go_ListObjectsOutput_fields_and_pages_with_maxResults_and_marker()
    {
        string[] keys = [_prefix + "a.txt", _prefix + "b.txt", _prefix + "c/d.txt"];
        foreach (var key in keys)
        {
            await Invoke("create", Encoding.UTF8.GetBytes(key), ("key", key));
        }

        var page = await ListAsync(new { prefix = _prefix, maxResults = 2 });
        Assert.Equal(
            ["CommonPrefixes", "Contents", "Delimiter", "EncodingType", "IsTruncated", "Marker", "MaxKeys", "Name", "NextMarker", "Prefix", "RequestCharged", "ResultMetadata"],
            page.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Bucket, page.GetProperty("Name").GetString());
        Assert.Equal(_prefix, page.GetProperty("Prefix").GetString());
        Assert.Equal(2, page.GetProperty("MaxKeys").GetInt32());
        Assert.True(page.GetProperty("IsTruncated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("CommonPrefixes").ValueKind);
        Assert.Equal("", page.GetProperty("RequestCharged").GetString());
        Assert.Equal(JsonValueKind.Object, page.GetProperty("ResultMetadata").ValueKind);
        Assert.Empty(page.GetProperty("ResultMetadata").EnumerateObject());
        var contents = page.GetProperty("Contents").EnumerateArray().ToList();
        Assert.Equal(keys[..2], contents.Select(c => c.GetProperty("Key").GetString()));
        var first = contents[0];
        Assert.Equal(
            ["ChecksumAlgorithm", "ChecksumType", "ETag", "Key", "LastModified", "Owner", "RestoreStatus", "Size", "StorageClass"],
            first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Encoding.UTF8.GetByteCount(keys[0]), first.GetProperty("Size").GetInt64());
        Assert.StartsWith("\"", first.GetProperty("ETag").GetString(), StringComparison.Ordinal);
        Assert.True(first.GetProperty("LastModified").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));
        Assert.EndsWith("Z", first.GetProperty("LastModified").GetString(), StringComparison.Ordinal);

        var rest = await ListAsync(new { prefix = _prefix, marker = keys[1] });
        Assert.Equal([keys[2]], rest.GetProperty("Contents").EnumerateArray().Select(c => c.GetProperty("Key").GetString()));
        Assert.False(rest.GetProperty("IsTruncated").GetBoolean());
        Assert.Equal(1000, rest.GetProperty("MaxKeys").GetInt32());

        var folders = await ListAsync(new { prefix = _prefix, delimiter = "/" });
        Assert.Equal([_prefix + "c/"], folders.GetProperty("CommonPrefixes").EnumerateArray().Select(p => p.GetProperty("Prefix").GetString()));
        Assert.Equal(keys[..2], folders.GetProperty("Contents").EnumerateArray().Select(c => c.GetProperty("Key").GetString()));
    }

    [Fact]
    public async Task List_rejects_data_of_the_wrong_json_type_as_go_decoding_does()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => Invoke("list", Encoding.UTF8.GetBytes("{\"maxResults\":\"ten\"}")));

        AssertBindingError(error,
            $"error invoking output binding {Binding}: s3 binding (List Operation) - unable to parse Data property - json: cannot unmarshal string into Go struct field listPayload.maxResults of type int32");
    }

    [Fact]
    public async Task Delete_answers_nothing_and_removes_the_object()
    {
        var key = _prefix + "doomed.txt";
        await Invoke("create", Encoding.UTF8.GetBytes("bye"), ("key", key));

        var response = await Invoke("delete", [], ("key", key));

        Assert.True(response.Data.IsEmpty);
        Assert.Empty(response.Metadata);
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetObjectMetadataAsync(Bucket, key));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Presign_answers_a_get_url_that_downloads_the_object_until_the_ttl_expires()
    {
        var key = _prefix + "shared report.txt";
        var created = await Invoke("create", Encoding.UTF8.GetBytes("presigned content"), ("key", key), ("presignTTL", "15m"));
        using (var createBody = JsonDocument.Parse(created.Data))
        {
            Assert.Contains("X-Amz-Expires=900", createBody.RootElement.GetProperty("presignURL").GetString(), StringComparison.Ordinal);
        }

        var response = await Invoke("presign", [], ("key", key), ("presignTTL", "3s"));

        using var body = JsonDocument.Parse(response.Data);
        Assert.Equal(["presignURL"], body.RootElement.EnumerateObject().Select(p => p.Name));
        var url = new Uri(body.RootElement.GetProperty("presignURL").GetString()!);
        Assert.Equal($"/{Bucket}/{_prefix}shared%20report.txt", url.AbsolutePath);
        Assert.Contains("X-Amz-Expires=3&", url.Query + "&", StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.Equal("presigned content", await http.GetStringAsync(url));

        // s3rver checks X-Amz-Date + X-Amz-Expires (whole seconds): once the TTL has passed the URL is refused.
        await Poll.UntilAsync(async () =>
        {
            using var expired = await http.GetAsync(url);
            return expired.StatusCode == HttpStatusCode.Forbidden;
        }, "the presigned URL to be refused after its TTL", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Presign_requires_presignTTL_and_a_go_duration()
    {
        var key = _prefix + "ttl.txt";
        var missing = await Assert.ThrowsAsync<DaprException>(() => Invoke("presign", [], ("key", key)));
        AssertBindingError(missing, $"error invoking output binding {Binding}: s3 binding error: required metadata 'presignTTL' missing");

        var invalid = await Assert.ThrowsAsync<DaprException>(() => Invoke("presign", [], ("key", key), ("presignTTL", "soon")));
        AssertBindingError(invalid, $"error invoking output binding {Binding}: s3 binding error: s3 binding error: cannot parse duration soon: time: invalid duration \"soon\"");
    }

    [Fact]
    public async Task Malformed_tags_fail_the_create()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() =>
            Invoke("create", Encoding.UTF8.GetBytes("x"), ("key", _prefix + "tagged"), ("tags", "team=fraud,broken")));

        AssertBindingError(error, $"error invoking output binding {Binding}: s3 binding error: parsing tags falied error: invalid tag format: 'broken' (expected key=value)");
    }

    [Fact]
    public async Task Operations_the_binding_does_not_offer_fail_as_daprd_reports_them()
    {
        // bulkGet/bulkCreate/bulkDelete arrive in Dapr 1.18; the harness pins 1.17.
        var error = await Assert.ThrowsAsync<DaprException>(() => Invoke("bulkGet", Encoding.UTF8.GetBytes("{\"items\":[]}")));

        AssertBindingError(error, $"error invoking output binding {Binding}: binding {Binding} does not support operation bulkGet. supported operations:create get delete list presign");
    }

    [Fact]
    public async Task An_unknown_binding_fails_as_daprd_reports_it()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() =>
            _harness.Client.InvokeBindingAsync(new BindingRequest("no-such-binding", "create")));

        AssertBindingError(error, "error invoking output binding no-such-binding: couldn't find output binding no-such-binding");
    }

    [Fact]
    public async Task A_metadata_field_the_component_does_not_declare_stops_the_harness()
    {
        // storageClass is decoded by the Go struct but is not in metadata.yaml; it is request metadata.
        var dir = _files.Resources(("objectstore.yaml", BindingResources.S3Component(Binding, ("storageClass", "STANDARD"))));

        var error = await Assert.ThrowsAsync<HarnessStartupException>(() => HarnessInstance.StartAsync("ig", dir, configPath: null));

        Assert.Contains("storageClass", error.Message, StringComparison.Ordinal);
        Assert.Contains("objectstore.yaml", error.Message, StringComparison.Ordinal);
    }

    /// <summary>daprd: gRPC Internal, its message, and an ErrorInfo detail ERR_INVOKE_OUTPUT_BINDING in domain dapr.io.</summary>
    internal static void AssertBindingError(DaprException error, string message)
    {
        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal(message, rpc.Status.Detail);
        var details = Google.Rpc.Status.Parser.ParseFrom(rpc.Trailers.GetValueBytes("grpc-status-details-bin"));
        Assert.Equal((int)StatusCode.Internal, details.Code);
        var any = Assert.Single(details.Details);
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", any.TypeUrl);
        var info = any.Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal("ERR_INVOKE_OUTPUT_BINDING", info.Reason);
        Assert.Equal("dapr.io", info.Domain);

        // Dapr.Client 1.19 matches "type.googleapis.com/Google.rpc.ErrorInfo" (capital G; dotnet-sdk
        // src/Dapr.Common/Exceptions/DaprExtendedErrorConstants.cs), so daprd's detail comes back as unknown.
        Assert.True(error.TryGetExtendedErrorInfo(out var extended), "no rich error details");
        Assert.Equal(any.TypeUrl, Assert.IsType<DaprUnknownDetail>(Assert.Single(extended.Details)).TypeUrl);
    }

    private async Task<BindingResponse> Invoke(string operation, byte[] data, params (string Key, string Value)[] metadata)
    {
        var request = new BindingRequest(Binding, operation) { Data = data };
        foreach (var (key, value) in metadata)
        {
            request.Metadata[key] = value;
        }

        return await _harness.Client.InvokeBindingAsync(request);
    }

    private async Task<JsonElement> ListAsync(object payload)
    {
        var response = await Invoke("list", JsonSerializer.SerializeToUtf8Bytes(payload));
        using var document = JsonDocument.Parse(response.Data);
        return document.RootElement.Clone();
    }

    private async Task<byte[]> ReadObjectAsync(string key)
    {
        using var response = await _s3.GetObjectAsync(Bucket, key);
        using var content = new MemoryStream();
        await response.ResponseStream.CopyToAsync(content);
        return content.ToArray();
    }
}
