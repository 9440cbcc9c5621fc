using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DaprHarness.Bindings.S3;

/// <summary>
/// AWS Signature Version 4 query-string signing of an S3 GET (the "presigned URL" of the S3 API reference,
/// sigv4-query-string-auth). Used instead of AWSSDK's presigner so that <c>X-Amz-Expires</c> is exactly the whole
/// seconds of the TTL, as aws-sdk-go-v2's presigner writes it; AWSSDK derives it from a target time and can be off by
/// one second.
/// </summary>
internal static class SigV4Presigner
{
    /// <param name="objectUrl">Scheme, host[:port] and the already URI-encoded object path.</param>
    /// <param name="extraQuery">Parameters signed along with the X-Amz-* ones (aws-sdk-go-v2 adds x-id=GetObject).</param>
    public static string PresignGet(
        Uri objectUrl,
        string region,
        string accessKey,
        string secretKey,
        string? sessionToken,
        DateTimeOffset now,
        long expiresSeconds,
        IEnumerable<KeyValuePair<string, string>> extraQuery)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/s3/aws4_request";
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-Amz-Algorithm"] = "AWS4-HMAC-SHA256",
            ["X-Amz-Credential"] = $"{accessKey}/{scope}",
            ["X-Amz-Date"] = amzDate,
            ["X-Amz-Expires"] = expiresSeconds.ToString(CultureInfo.InvariantCulture),
            ["X-Amz-SignedHeaders"] = "host",
        };
        if (sessionToken is not null)
        {
            query["X-Amz-Security-Token"] = sessionToken;
        }

        foreach (var (name, value) in extraQuery)
        {
            query[name] = value;
        }

        var canonicalQuery = string.Join('&', query.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
        var host = objectUrl.IsDefaultPort ? objectUrl.Host : objectUrl.Authority;
        var canonicalRequest = $"GET\n{objectUrl.AbsolutePath}\n{canonicalQuery}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var signingKey = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        signingKey = Hmac(signingKey, region);
        signingKey = Hmac(signingKey, "s3");
        signingKey = Hmac(signingKey, "aws4_request");
        var signature = Hex(Hmac(signingKey, stringToSign));

        return $"{objectUrl.GetLeftPart(UriPartial.Path)}?{canonicalQuery}&X-Amz-Signature={signature}";
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
