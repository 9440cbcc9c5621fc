using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;

namespace DaprHarness.Bindings.S3;

/// <summary>Go behaviours the S3 binding shows to apps, reproduced where they change bytes or messages.</summary>
internal static class GoText
{
    /// <summary>
    /// components-contrib common/utils.Unquote: data that parses as a JSON scalar becomes that scalar's text
    /// (strings unquoted, numbers as Go's shortest decimal, true/false, null → empty); anything else, objects and
    /// arrays included, is kept byte for byte.
    /// </summary>
    public static byte[] Unquote(byte[] data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return data;
        }

        using (document)
        {
            var root = document.RootElement;
            return root.ValueKind switch
            {
                JsonValueKind.String => Encoding.UTF8.GetBytes(root.GetString()!),
                JsonValueKind.Number when root.TryGetDouble(out var number) => Encoding.UTF8.GetBytes(FormatFloat(number)),
                JsonValueKind.True => "true"u8.ToArray(),
                JsonValueKind.False => "false"u8.ToArray(),
                JsonValueKind.Null => [],
                _ => data,
            };
        }
    }

    /// <summary>Go's strconv.FormatFloat(f, 'f', -1, 64): the shortest round-trip digits, never an exponent.</summary>
    public static string FormatFloat(double value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return shortest;
        }

        var negative = shortest.StartsWith('-');
        var mantissa = shortest[(negative ? 1 : 0)..e];
        var exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        string plain;
        if (point <= 0)
        {
            plain = "0." + new string('0', -point) + digits;
        }
        else if (point >= digits.Length)
        {
            plain = digits + new string('0', point - digits.Length);
        }
        else
        {
            plain = digits[..point] + "." + digits[point..];
        }

        return negative ? "-" + plain : plain;
    }

    /// <summary>kit/strings.IsTruthy, which the binding uses for per-request flags.</summary>
    public static bool IsTruthy(string value) =>
        value.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";

    /// <summary>The text of an aws-sdk-go-v2 operation error, as it ends up in daprd's error message.</summary>
    public static string AwsError(string operation, Exception error) => error switch
    {
        AmazonS3Exception s3 =>
            $"operation error S3: {operation}, https response error StatusCode: {(int)s3.StatusCode}, RequestID: {s3.RequestId}, HostID: {s3.AmazonId2}, api error {s3.ErrorCode}: {s3.Message}",
        AmazonServiceException service =>
            $"operation error S3: {operation}, https response error StatusCode: {(int)service.StatusCode}, RequestID: {service.RequestId}, api error {service.ErrorCode}: {service.Message}",
        _ => $"operation error S3: {operation}, {error.Message}",
    };

    /// <summary>Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed), in UTC.</summary>
    public static string Rfc3339Nano(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text += "." + (fraction * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return text + "Z";
    }
}
