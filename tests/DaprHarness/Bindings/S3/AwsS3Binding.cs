using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DaprHarness.Components;
using DaprHarness.Resources;

namespace DaprHarness.Bindings.S3;

/// <summary>
/// The S3 binding's operations with Dapr's request metadata and response shapes
/// (components-contrib@release-1.17 bindings/aws/s3/s3.go). Request metadata keys are case-sensitive, as Go map
/// look-ups are. 1.18's bulkGet/bulkCreate/bulkDelete are not part of 1.17 and are not offered.
/// </summary>
internal sealed class AwsS3Binding(string name, S3Options options, AmazonS3Client s3, TimeProvider clock)
    : IOutputBindingComponent, IDirectionalBinding
{
    private const string KeyField = "key";

    private static readonly System.Buffers.SearchValues<char> Base64Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    public string Name { get; } = name;

    public BindingDirection Direction { get; } = new(false, false, true);

    public IReadOnlyCollection<string> Operations { get; } = ["create", "get", "delete", "list", "presign"];

    public Task<BindingResult> InvokeAsync(string operation, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        operation switch
        {
            "create" => CreateAsync(data, metadata, cancellationToken),
            "get" => GetAsync(metadata, cancellationToken),
            "delete" => DeleteAsync(metadata, cancellationToken),
            "list" => ListAsync(data, cancellationToken),
            "presign" => PresignAsync(metadata),
            _ => throw new BindingException($"s3 binding error: unsupported operation {operation}"),
        };

    private async Task<BindingResult> CreateAsync(byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var request = RequestOptions.Merge(options, metadata);
        var key = metadata.GetValueOrDefault(KeyField) is { Length: > 0 } given ? given : Guid.NewGuid().ToString();
        var contentType = metadata.GetValueOrDefault("Content-Type")?.Trim() is { Length: > 0 } type ? type : null;
        // Present-but-empty tags still go through the parser (and fail), as in the Go code.
        var tags = metadata.TryGetValue("tags", out var rawTags) ? ParseTags(rawTags) : null;

        byte[] body;
        if (request.FilePath is { } path)
        {
            try
            {
                body = await File.ReadAllBytesAsync(path, cancellationToken);
            }
            catch (IOException e)
            {
                throw new BindingException($"s3 binding error: file read error: open {path}: {e.Message}", e);
            }
        }
        else
        {
            body = GoText.Unquote(data);
        }

        if (request.DecodeBase64)
        {
            body = DecodeBase64(body);
        }

        var put = new PutObjectRequest
        {
            BucketName = options.Bucket,
            Key = key,
            InputStream = new MemoryStream(body),
            // aws-sdk-go-v2 sends application/octet-stream for a blob payload without a content type.
            ContentType = contentType ?? "application/octet-stream",
            UseChunkEncoding = false,
        };
        if (tags is not null)
        {
            put.TagSet = tags;
        }

        if (request.StorageClass is { } storageClass)
        {
            put.StorageClass = new S3StorageClass(storageClass);
        }

        PutObjectResponse uploaded;
        try
        {
            uploaded = await s3.PutObjectAsync(put, cancellationToken);
        }
        catch (AmazonS3Exception e)
        {
            throw new BindingException($"s3 binding error: uploading failed: {GoText.AwsError("PutObject", e)}", e);
        }

        var presignUrl = request.PresignTtl is { } ttl ? await PresignUrlAsync(key, ttl) : null;

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("location", ObjectUrl(key));
            if (uploaded.VersionId is { Length: > 0 } version)
            {
                json.WriteString("versionID", version);
            }
            else
            {
                json.WriteNull("versionID");
            }

            if (presignUrl is not null)
            {
                json.WriteString("presignURL", presignUrl);
            }

            json.WriteEndObject();
        }

        return new BindingResult(buffer.ToArray(), new Dictionary<string, string> { [KeyField] = key });
    }

    private async Task<BindingResult> GetAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var request = RequestOptions.Merge(options, metadata);
        var key = RequiredKey(metadata);
        byte[] content;
        try
        {
            using var response = await s3.GetObjectAsync(options.Bucket, key, cancellationToken);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy, cancellationToken);
            content = copy.ToArray();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            throw new BindingException("object not found", e);
        }
        catch (AmazonS3Exception e)
        {
            throw new BindingException($"s3 binding error: error downloading S3 object: {GoText.AwsError("GetObject", e)}", e);
        }

        var data = request.EncodeBase64 ? Encoding.ASCII.GetBytes(Convert.ToBase64String(content)) : content;
        return new BindingResult(data, new Dictionary<string, string>());
    }

    private async Task<BindingResult> DeleteAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var key = RequiredKey(metadata);
        try
        {
            await s3.DeleteObjectAsync(options.Bucket, key, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            throw new BindingException("object not found", e);
        }
        catch (AmazonS3Exception e)
        {
            throw new BindingException($"s3 binding error: delete operation failed: {GoText.AwsError("DeleteObject", e)}", e);
        }

        return BindingResult.Empty;
    }

    private async Task<BindingResult> ListAsync(byte[] data, CancellationToken cancellationToken)
    {
        var payload = ListPayload.Parse(data);
        ListObjectsResponse response;
        try
        {
            response = await s3.ListObjectsAsync(new ListObjectsRequest
            {
                BucketName = options.Bucket,
                MaxKeys = payload.MaxResults < 1 ? 1000 : payload.MaxResults,
                Marker = payload.Marker,
                Prefix = payload.Prefix,
                Delimiter = payload.Delimiter,
            }, cancellationToken);
        }
        catch (AmazonS3Exception e)
        {
            throw new BindingException($"s3 binding error: list operation failed: {GoText.AwsError("ListObjects", e)}", e);
        }

        return new BindingResult(S3ListOutput.ToJson(response), new Dictionary<string, string>());
    }

    private async Task<BindingResult> PresignAsync(IReadOnlyDictionary<string, string> metadata)
    {
        var request = RequestOptions.Merge(options, metadata);
        var key = RequiredKey(metadata);
        var ttl = request.PresignTtl ?? throw new BindingException("s3 binding error: required metadata 'presignTTL' missing");
        var url = await PresignUrlAsync(key, ttl);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("presignURL", url);
            json.WriteEndObject();
        }

        return new BindingResult(buffer.ToArray(), new Dictionary<string, string>());
    }

    /// <summary>A GET URL (the binding never presigns uploads) valid for the whole seconds of <paramref name="ttl"/>.</summary>
    private async Task<string> PresignUrlAsync(string key, string ttl)
    {
        if (!GoDuration.TryParse(ttl, out var lifetime))
        {
            var reason = ttl.Length > 0 && ttl.All(char.IsAsciiDigit) ? $"time: missing unit in duration \"{ttl}\"" : $"time: invalid duration \"{ttl}\"";
            throw new BindingException($"s3 binding error: s3 binding error: cannot parse duration {ttl}: {reason}");
        }

        var seconds = (long)Math.Floor(lifetime.TotalSeconds);
        if (options.AccessKey is { } accessKey && options.SecretKey is { } secretKey)
        {
            return SigV4Presigner.PresignGet(new Uri(ObjectUrl(key)), options.Region ?? "us-east-1", accessKey, secretKey,
                options.SessionToken, clock.GetUtcNow(), seconds, [new("x-id", "GetObject")]);
        }

        try
        {
            // Credentials from the default chain live inside the SDK client, so its presigner signs (its
            // X-Amz-Expires is derived from a target time and may differ from Go's by a second).
            return await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = options.Bucket,
                Key = key,
                Verb = HttpVerb.GET,
                Expires = clock.GetUtcNow().UtcDateTime.AddSeconds(seconds),
                Protocol = options.Endpoint is { } endpoint && endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS,
            });
        }
        catch (Exception e) when (e is ArgumentException or AmazonClientException)
        {
            throw new BindingException($"s3 binding error: s3 binding error: failed to presign URL: {e.Message}", e);
        }
    }

    /// <summary>
    /// The object's URL: where it landed (the transfer manager records the upload request's URL without its query)
    /// and what a presigned URL points at. With an endpoint it is endpoint/bucket/key (path style) or
    /// bucket.host/key (virtual-hosted style).
    /// </summary>
    private string ObjectUrl(string key)
    {
        var escapedKey = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        if (options.Endpoint is { } endpoint)
        {
            var trimmed = endpoint.TrimEnd('/');
            if (options.ForcePathStyle)
            {
                return $"{trimmed}/{options.Bucket}/{escapedKey}";
            }

            var uri = new Uri(trimmed);
            return $"{uri.Scheme}://{options.Bucket}.{uri.Authority}{uri.AbsolutePath.TrimEnd('/')}/{escapedKey}";
        }

        var region = options.Region ?? "us-east-1";
        return options.ForcePathStyle
            ? $"https://s3.{region}.amazonaws.com/{options.Bucket}/{escapedKey}"
            : $"https://{options.Bucket}.s3.{region}.amazonaws.com/{escapedKey}";
    }

    private static string RequiredKey(IReadOnlyDictionary<string, string> metadata) =>
        metadata.GetValueOrDefault(KeyField) is { Length: > 0 } key
            ? key
            : throw new BindingException($"s3 binding error: required metadata '{KeyField}' missing");

    /// <summary>The <c>tags</c> request metadata: <c>k=v,k2=v2</c>, each side trimmed and non-empty.</summary>
    private static List<Tag> ParseTags(string raw)
    {
        var tags = new List<Tag>();
        foreach (var entry in raw.Split(','))
        {
            var kv = entry.Trim().Split('=', 2);
            if (kv.Length != 2 || kv[0].Trim().Length == 0 || kv[1].Trim().Length == 0)
            {
                throw new BindingException($"s3 binding error: parsing tags falied error: invalid tag format: '{entry}' (expected key=value)");
            }

            tags.Add(new Tag { Key = kv[0].Trim(), Value = kv[1].Trim() });
        }

        return tags;
    }

    /// <summary>Go's base64 stream decoder: standard alphabet, line breaks ignored.</summary>
    private static byte[] DecodeBase64(byte[] body)
    {
        var text = Encoding.ASCII.GetString(body).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            var bad = text.IndexOfAnyExcept(Base64Alphabet);
            var at = bad < 0 ? text.Length : bad;
            throw new BindingException($"s3 binding error: uploading failed: illegal base64 data at input byte {at.ToString(CultureInfo.InvariantCulture)}", e);
        }
    }

    public ValueTask DisposeAsync()
    {
        s3.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The binding's mergeWithRequestMetadata: non-empty request values override the component's.</summary>
    private sealed record RequestOptions(bool DecodeBase64, bool EncodeBase64, string? FilePath, string? PresignTtl, string? StorageClass)
    {
        public static RequestOptions Merge(S3Options options, IReadOnlyDictionary<string, string> metadata)
        {
            string? Value(string name) => metadata.GetValueOrDefault(name) is { Length: > 0 } v ? v : null;
            return new RequestOptions(
                Value("decodeBase64") is { } decode ? GoText.IsTruthy(decode) : options.DecodeBase64,
                Value("encodeBase64") is { } encode ? GoText.IsTruthy(encode) : options.EncodeBase64,
                Value("filePath"),
                Value("presignTTL"),
                Value("storageClass"));
        }
    }
}
