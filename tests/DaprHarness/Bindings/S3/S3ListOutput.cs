using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3.Model;

namespace DaprHarness.Bindings.S3;

/// <summary>
/// The <c>list</c> response body: since Dapr 1.17 the binding marshals aws-sdk-go-v2's <c>s3.ListObjectsOutput</c>
/// with encoding/json (components-contrib@release-1.17 bindings/aws/s3/s3.go list). The struct has no JSON tags, so
/// the members are Go's field names in declaration order; nil pointers and slices are <c>null</c>, string enums
/// are <c>""</c> when unset, times are RFC 3339 and <c>ResultMetadata</c> (no exported fields) is <c>{}</c>.
/// </summary>
internal static class S3ListOutput
{
    public static byte[] ToJson(ListObjectsResponse response)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("CommonPrefixes");
            if (response.CommonPrefixes is { Count: > 0 } prefixes)
            {
                json.WriteStartArray();
                foreach (var prefix in prefixes)
                {
                    json.WriteStartObject();
                    json.WriteString("Prefix", prefix);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }

            json.WritePropertyName("Contents");
            if (response.S3Objects is { Count: > 0 } objects)
            {
                json.WriteStartArray();
                foreach (var item in objects)
                {
                    WriteObject(json, item);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }

            WriteNullable(json, "Delimiter", response.Delimiter);
            json.WriteString("EncodingType", Enum(response.Encoding));
            WriteNullable(json, "IsTruncated", response.IsTruncated);
            WriteNullable(json, "Marker", response.Marker);
            WriteNullable(json, "MaxKeys", response.MaxKeys);
            WriteNullable(json, "Name", response.Name);
            WriteNullable(json, "NextMarker", response.NextMarker);
            WriteNullable(json, "Prefix", response.Prefix);
            json.WriteString("RequestCharged", Enum(response.RequestCharged));
            json.WritePropertyName("ResultMetadata");
            json.WriteStartObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>types.Object: ChecksumAlgorithm, ChecksumType, ETag, Key, LastModified, Owner, RestoreStatus, Size, StorageClass.</summary>
    private static void WriteObject(Utf8JsonWriter json, S3Object item)
    {
        json.WriteStartObject();
        json.WritePropertyName("ChecksumAlgorithm");
        if (item.ChecksumAlgorithm is { Count: > 0 } algorithms)
        {
            json.WriteStartArray();
            foreach (var algorithm in algorithms)
            {
                json.WriteStringValue(algorithm);
            }

            json.WriteEndArray();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteString("ChecksumType", Enum(item.ChecksumType));
        WriteNullable(json, "ETag", item.ETag);
        WriteNullable(json, "Key", item.Key);
        WriteNullable(json, "LastModified", item.LastModified is { } modified ? GoText.Rfc3339Nano(modified) : null);
        json.WritePropertyName("Owner");
        if (item.Owner is { } owner)
        {
            json.WriteStartObject();
            WriteNullable(json, "DisplayName", owner.DisplayName);
            WriteNullable(json, "ID", owner.Id);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WritePropertyName("RestoreStatus");
        if (item.RestoreStatus is { } restore)
        {
            json.WriteStartObject();
            WriteNullable(json, "IsRestoreInProgress", restore.IsRestoreInProgress);
            WriteNullable(json, "RestoreExpiryDate",
                restore.RestoreExpiryDate is { } expiry ? GoText.Rfc3339Nano(expiry) : null);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        WriteNullable(json, "Size", item.Size);
        json.WriteString("StorageClass", Enum(item.StorageClass));
        json.WriteEndObject();
    }

    private static string Enum(ConstantClass? value) => value?.Value ?? "";

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is { } v)
        {
            json.WriteBoolean(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
