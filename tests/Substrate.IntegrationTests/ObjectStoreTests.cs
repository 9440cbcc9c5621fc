using Amazon.S3;
using Amazon.S3.Model;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.IntegrationTests.Infrastructure;

namespace Platform.Substrate.IntegrationTests;

/// <summary>
/// <see cref="DaprObjectStore"/> on <c>objectstore</c> (bindings.aws.s3 → s3rver) through app ig's sidecar. What
/// landed is read straight from s3rver with AWSSDK.S3.
/// </summary>
public sealed class ObjectStoreTests(IgSidecar ig) : IClassFixture<IgSidecar>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly AmazonS3Client _s3 = Backends.S3();
    private readonly string _prefix = $"it/substrate/{Guid.NewGuid():N}/";

    private DaprObjectStore Store => ig.Objects;

    // Every byte value, so nothing in the path (base64, text decoding) may alter the content.
    private static byte[] Binary(int length, byte seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed))];

    [Fact]
    public async Task CreateIfAbsent_writes_once_and_never_overwrites_different_bytes()
    {
        var key = _prefix + "receipt.bin";
        var content = Binary(4096, 7);

        Assert.Equal(ObjectWriteOutcome.Created, await Store.CreateIfAbsentAsync(key, content, "application/octet-stream", None));
        var stored = await ReadS3Async(key);
        Assert.Equal(content, stored.Bytes);
        Assert.Equal("application/octet-stream", stored.ContentType);

        Assert.Equal(ObjectWriteOutcome.AlreadyPresent, await Store.CreateIfAbsentAsync(key, content, "application/octet-stream", None));
        var conflict = await Assert.ThrowsAsync<ObjectConflictException>(
            () => Store.CreateIfAbsentAsync(key, Binary(4096, 8), "application/octet-stream", None));
        Assert.Equal(key, conflict.Key);

        var after = await ReadS3Async(key);
        Assert.Equal(content, after.Bytes);
        Assert.Equal(stored.ETag, after.ETag);
        Assert.Equal(stored.LastModified, after.LastModified);
        Assert.Equal(content, await Store.GetAsync(key, None));
    }

    [Fact]
    public async Task Get_of_an_absent_key_is_null()
    {
        Assert.Null(await Store.GetAsync(_prefix + "absent.json", None));
    }

    [Fact]
    public async Task ListKeys_returns_exactly_the_keys_under_the_prefix_in_lexical_order()
    {
        var prefix = _prefix + "list/a/";
        var keys = Enumerable.Range(0, 30).Select(i => $"{prefix}{(i * 7) % 30:D2}-{(char)('z' - i % 26)}.json").ToList();
        // Neighbours that share the prefix as text but not as a folder, and keys just outside it.
        List<string> outside = [_prefix + "list/a.json", _prefix + "list/ab/00.json", _prefix + "list/A/00.json"];
        await Task.WhenAll(keys.Concat(outside).Select(k => Store.CreateIfAbsentAsync(k, "{}"u8.ToArray(), "application/json", None)));

        var listed = await Store.ListKeysAsync(prefix, None);

        Assert.Equal(keys.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task ListKeys_follows_the_pagination_past_1000_keys()
    {
        // The store asks for pages of 1000; 1005 keys need a second page that starts after the first page's last key.
        var prefix = _prefix + "many/";
        var keys = Enumerable.Range(0, 1005).Select(i => $"{prefix}{i:D4}").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Backends.Bucket, Key = key, ContentBody = "x", UseChunkEncoding = false }, ct));

        try
        {
            var listed = await Store.ListKeysAsync(prefix, None);
            Assert.Equal(keys, listed);
        }
        finally
        {
            foreach (var batch in keys.Chunk(1000))
            {
                await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = Backends.Bucket,
                    Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                });
            }
        }
    }

    [Fact]
    public async Task Delete_removes_the_object_and_deleting_again_is_a_no_op()
    {
        var key = _prefix + "to-delete.json";
        Assert.Equal(ObjectWriteOutcome.Created, await Store.CreateIfAbsentAsync(key, "{\"a\":1}"u8.ToArray(), "application/json", None));

        await Store.DeleteAsync(key, None);

        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetObjectMetadataAsync(Backends.Bucket, key));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Null(await Store.GetAsync(key, None));
        await Store.DeleteAsync(key, None);
    }

    [Fact]
    public async Task A_presigned_get_url_downloads_the_bytes()
    {
        var key = _prefix + "bundle/model.bin";
        var content = Binary(10_000, 3);
        Assert.Equal(ObjectWriteOutcome.Created, await Store.CreateIfAbsentAsync(key, content, "application/octet-stream", None));

        var url = await Store.PresignGetAsync(key, TimeSpan.FromMinutes(5), None);

        using var http = new HttpClient();
        Assert.Equal(content, await http.GetByteArrayAsync(url));
        Assert.Contains("X-Amz-Expires=300", url.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_with_spaces_and_reserved_characters_round_trip_through_every_operation()
    {
        var folder = _prefix + "odd keys/a+b=c/";
        var key = folder + "receipt 1+1=2 (x)~%20&a;b.json";
        var content = "{\"ok\":true}"u8.ToArray();

        Assert.Equal(ObjectWriteOutcome.Created, await Store.CreateIfAbsentAsync(key, content, "application/json", None));

        Assert.Equal(content, (await ReadS3Async(key)).Bytes);
        Assert.Equal(content, await Store.GetAsync(key, None));
        Assert.Equal([key], await Store.ListKeysAsync(folder, None));
        using var http = new HttpClient();
        Assert.Equal(content, await http.GetByteArrayAsync(await Store.PresignGetAsync(key, TimeSpan.FromMinutes(1), None)));
        await Store.DeleteAsync(key, None);
        Assert.Null(await Store.GetAsync(key, None));
    }

    [Fact]
    public async Task An_empty_object_is_stored_and_read_back_as_empty_not_absent()
    {
        var key = _prefix + "empty.bin";

        Assert.Equal(ObjectWriteOutcome.Created, await Store.CreateIfAbsentAsync(key, Array.Empty<byte>(), "application/octet-stream", None));

        Assert.Empty((await ReadS3Async(key)).Bytes);
        Assert.Equal(Array.Empty<byte>(), await Store.GetAsync(key, None));
        Assert.Equal(ObjectWriteOutcome.AlreadyPresent, await Store.CreateIfAbsentAsync(key, Array.Empty<byte>(), "application/octet-stream", None));
    }

    public void Dispose() => _s3.Dispose();

    private async Task<(byte[] Bytes, string ContentType, string ETag, DateTime? LastModified)> ReadS3Async(string key)
    {
        using var response = await _s3.GetObjectAsync(Backends.Bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return (buffer.ToArray(), response.Headers.ContentType, response.ETag, response.LastModified);
    }
}
