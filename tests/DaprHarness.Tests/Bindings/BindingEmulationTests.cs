using System.Globalization;
using System.Text;
using System.Web;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using DaprHarness.Bindings;
using DaprHarness.Bindings.Kinesis;
using DaprHarness.Bindings.S3;

namespace DaprHarness.Tests.Bindings;

/// <summary>The pieces of Go and AWS behaviour the bindings reproduce, checked against known values.</summary>
public sealed class BindingEmulationTests
{
    [Theory]
    // MD5("a") = 0cc175b9…: below 2^127, the first of two shards; MD5("b") = 92eb5ffe…: the second.
    [InlineData("a", 2, 0)]
    [InlineData("b", 2, 1)]
    // With four shards the ranges are quarters: 0x0c… is in the first, 0x92… in the third.
    [InlineData("a", 4, 0)]
    [InlineData("b", 4, 2)]
    [InlineData("b", 1, 0)]
    public void Partition_keys_map_to_shards_by_md5_hash_key_ranges(string partitionKey, int shards, int expected)
    {
        Assert.Equal(expected, ShardMap.ShardFor(partitionKey, shards));
    }

    [Fact]
    public void The_hash_key_is_the_md5_digest_read_as_an_unsigned_big_endian_integer()
    {
        Assert.Equal(System.Numerics.BigInteger.Parse("0cc175b9c0f1b6a831c399e269772661", System.Globalization.NumberStyles.HexNumber), ShardMap.HashKey("a"));
    }

    [Fact]
    public async Task The_sigv4_presigner_signs_exactly_as_AWSSDK_does_for_the_same_time_and_lifetime()
    {
        using var sdk = new AmazonS3Client(
            new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            new AmazonS3Config { ServiceURL = "http://127.0.0.1:54568", ForcePathStyle = true, UseHttp = true, AuthenticationRegion = "eu-west-1" });
        var reference = new Uri(await sdk.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = "bucket",
            Key = "dir/a b+c~d.txt",
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.AddMinutes(10),
            Protocol = Protocol.HTTP,
        }));
        var query = HttpUtility.ParseQueryString(reference.Query);
        var signedAt = DateTimeOffset.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        var ours = new Uri(SigV4Presigner.PresignGet(
            new Uri("http://127.0.0.1:54568/bucket/dir/a%20b%2Bc~d.txt"), "eu-west-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            null, signedAt, long.Parse(query["X-Amz-Expires"]!, CultureInfo.InvariantCulture), []));

        Assert.Equal(reference.AbsolutePath, ours.AbsolutePath);
        Assert.Equal(query["X-Amz-Signature"], HttpUtility.ParseQueryString(ours.Query)["X-Amz-Signature"]);
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.25e-7, "0.000000125")]
    [InlineData(-42, "-42")]
    [InlineData(12345678901234567890d, "12345678901234567000")]
    public void Numbers_are_formatted_like_go_strconv_FormatFloat_f_minus_one(double value, string expected)
    {
        Assert.Equal(expected, GoText.FormatFloat(value));
    }

    [Fact]
    public void Unquote_keeps_bytes_that_are_not_json_untouched()
    {
        byte[] binary = [0xff, 0x00, 0xfe, (byte)'"'];

        Assert.Equal(binary, GoText.Unquote(binary));
        Assert.Equal("x"u8.ToArray(), GoText.Unquote(Encoding.UTF8.GetBytes("  \"x\"  ")));
    }

    [Theory]
    [InlineData("", 0, "", "", "")]
    [InlineData("null", 0, "", "", "")]
    [InlineData("{\"MAXRESULTS\":5,\"Prefix\":\"p/\",\"unknown\":1,\"marker\":null}", 5, "p/", "", "")]
    [InlineData("{\"maxresults\":1,\"maxResults\":2}", 2, "", "", "")]
    public void List_payload_decodes_like_go_encoding_json(string json, int maxResults, string prefix, string marker, string delimiter)
    {
        Assert.Equal(new ListPayload(maxResults, prefix, marker, delimiter), ListPayload.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("[]", "json: cannot unmarshal array into Go value of type s3.listPayload")]
    [InlineData("{\"maxResults\":1.5}", "json: cannot unmarshal number 1.5 into Go struct field listPayload.maxResults of type int32")]
    [InlineData("{\"prefix\":true}", "json: cannot unmarshal bool into Go struct field listPayload.prefix of type string")]
    public void List_payload_type_errors_read_like_go(string json, string error)
    {
        var thrown = Assert.Throws<BindingException>(() => ListPayload.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("s3 binding (List Operation) - unable to parse Data property - " + error, thrown.Message);
    }
}
