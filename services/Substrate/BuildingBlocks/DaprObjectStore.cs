using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapr;
using Dapr.Client;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>
/// The object store over Dapr's S3 output binding (<c>objectstore</c>). Request and response shapes follow
/// components-contrib release-1.17/1.18 bindings/aws/s3/s3.go (AWS SDK for Go v2).
/// </summary>
/// <remarks>
/// The binding's <c>create</c> always overwrites, so write-once is built on top: read first; absent → create;
/// present with the same bytes → <see cref="ObjectWriteOutcome.AlreadyPresent"/>; different bytes →
/// <see cref="ObjectConflictException"/>. Two writers racing on one absent key can both see it absent and both
/// create; the later PUT wins. That is acceptable because every key is derived from the content or from a dedupe
/// key (event_id, digest, run id), so concurrent writers of one key carry the same bytes and the survivor is
/// identical to the loser. Code that cannot guarantee this must not use this store for that key.
/// </remarks>
public sealed class DaprObjectStore : IObjectStore
{
    /// <summary>S3 SigV4 presigned URLs live at most seven days.</summary>
    internal static readonly TimeSpan MaxPresignTimeToLive = TimeSpan.FromDays(7);

    private const int PageSize = 1000;

    private readonly IBindingInvoker _bindings;
    private readonly string _componentName;

    public DaprObjectStore(DaprClient client, string componentName = PlatformNames.Components.ObjectStore)
        : this(new DaprBindingInvoker(client), componentName)
    {
    }

    internal DaprObjectStore(IBindingInvoker bindings, string componentName)
    {
        _bindings = bindings;
        _componentName = componentName;
    }

    public async Task<ObjectWriteOutcome> CreateIfAbsentAsync(
        string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var existing = await GetAsync(key, cancellationToken);
        if (existing is not null)
        {
            return existing.AsSpan().SequenceEqual(content.Span)
                ? ObjectWriteOutcome.AlreadyPresent
                : throw new ObjectConflictException(key);
        }

        await PutIdenticalAsync(key, content, contentType, cancellationToken);
        return ObjectWriteOutcome.Created;
    }

    public async Task PutIdenticalAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);

        // The binding reads the request data as text; base64 plus decodeBase64 keeps binary content intact.
        var request = Request("create", key);
        request.Data = Encoding.ASCII.GetBytes(Convert.ToBase64String(content.Span));
        request.Metadata["decodeBase64"] = "true";
        request.Metadata["Content-Type"] = contentType;
        await _bindings.InvokeAsync(request, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var request = Request("get", key);
        // Raw bytes whatever the component's encodeBase64 default says.
        request.Metadata["encodeBase64"] = "false";
        try
        {
            var response = await _bindings.InvokeAsync(request, cancellationToken);
            return response.Data.ToArray();
        }
        catch (DaprException ex) when (DaprErrors.IsObjectNotFound(ex))
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        string? marker = string.Empty;
        while (marker is not null)
        {
            var request = new BindingRequest(_componentName, "list")
            {
                Data = JsonSerializer.SerializeToUtf8Bytes(new ListRequest(PageSize, prefix, marker)),
            };
            var response = await _bindings.InvokeAsync(request, cancellationToken);
            var page = S3ListPage.Parse(response.Data.Span);
            keys.AddRange(page.Keys);
            marker = page.NextMarker;
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _bindings.InvokeAsync(Request("delete", key), cancellationToken);
        }
        catch (DaprException ex) when (DaprErrors.IsObjectNotFound(ex))
        {
            // Already gone: delete is idempotent.
        }
    }

    public async Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var request = Request("presign", key);
        request.Metadata["presignTTL"] = FormatGoDuration(timeToLive);
        var response = await _bindings.InvokeAsync(request, cancellationToken);
        var url = JsonSerializer.Deserialize<PresignResponse>(response.Data.Span)?.PresignUrl;
        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidDataException($"The '{_componentName}' binding returned no presigned URL for '{key}'.");
    }

    /// <summary>A Go <c>time.ParseDuration</c> string: whole seconds ("900s"), else milliseconds ("1500ms").</summary>
    internal static string FormatGoDuration(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, MaxPresignTimeToLive);
        var milliseconds = (long)Math.Ceiling(duration.TotalMilliseconds);
        return milliseconds % 1000 == 0
            ? (milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private BindingRequest Request(string operation, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var request = new BindingRequest(_componentName, operation);
        request.Metadata["key"] = key;
        return request;
    }

    // Field names as the binding's listPayload declares them (camelCase JSON tags).
    private sealed record ListRequest(
        [property: JsonPropertyName("maxResults")] int MaxResults,
        [property: JsonPropertyName("prefix")] string Prefix,
        [property: JsonPropertyName("marker")] string Marker);

    private sealed record PresignResponse(
        [property: JsonPropertyName("presignURL")] string? PresignUrl);
}

/// <summary>
/// One page of the binding's <c>list</c> answer: the Go SDK v2 <c>ListObjectsOutput</c> marshalled with
/// encoding/json, so fields carry their Go names (<c>Contents[].Key</c>, <c>IsTruncated</c>, <c>NextMarker</c>);
/// since SDK v2 several of them are pointers and may be null.
/// </summary>
internal sealed record S3ListPage(IReadOnlyList<string> Keys, string? NextMarker)
{
    private const string ContentsField = "Contents";
    private const string KeyField = "Key";
    private const string IsTruncatedField = "IsTruncated";
    private const string NextMarkerField = "NextMarker";

    public static S3ListPage Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        var keys = new List<string>();
        if (root.TryGetProperty(ContentsField, out var contents) && contents.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in contents.EnumerateArray())
            {
                if (item.TryGetProperty(KeyField, out var key) && key.GetString() is { Length: > 0 } value)
                {
                    keys.Add(value);
                }
            }
        }

        var truncated = root.TryGetProperty(IsTruncatedField, out var flag) && flag.ValueKind == JsonValueKind.True;
        if (!truncated)
        {
            return new S3ListPage(keys, null);
        }

        // S3 sends NextMarker only when a delimiter was given; otherwise the last key is the marker.
        var next = root.TryGetProperty(NextMarkerField, out var nextMarker) && nextMarker.GetString() is { Length: > 0 } m
            ? m
            : keys.LastOrDefault();
        return next is not null
            ? new S3ListPage(keys, next)
            : throw new InvalidDataException("The object store reported a truncated listing without any key to continue from.");
    }
}
