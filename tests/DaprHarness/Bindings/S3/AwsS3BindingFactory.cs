using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using DaprHarness.Components;

namespace DaprHarness.Bindings.S3;

/// <summary>
/// <c>bindings.aws.s3</c> v1 on a real S3-compatible server. Metadata fields are those of
/// components-contrib@release-1.17 bindings/aws/s3/metadata.yaml plus the static-key fields of its "aws" built-in
/// authentication profile (.build-tools/builtin-authentication-profiles.yaml) and daprd's <c>direction</c>.
/// </summary>
public sealed class AwsS3BindingFactory : IComponentFactory
{
    public string Type => "bindings.aws.s3";

    public IReadOnlyCollection<string> Versions => ["v1"];

    public IReadOnlyCollection<string> MetadataFields =>
    [
        "bucket", "endpoint", "forcePathStyle", "decodeBase64", "encodeBase64", "disableSSL", "insecureSSL",
        "region", "awsRegion", "accessKey", "secretKey", "sessionToken", BindingDirection.FieldName,
    ];

    public Task<IHarnessComponent> CreateAsync(ComponentMetadata metadata, HarnessContext context, CancellationToken cancellationToken)
    {
        var direction = BindingDirection.From(metadata);
        if (!direction.Output)
        {
            // The S3 binding has no input side, so daprd registers it as neither and fails its initialisation.
            throw metadata.Error(BindingDirection.FieldName, "bindings.aws.s3 is output-only; daprd fails to initialise it as an input binding");
        }

        var options = S3Options.From(metadata);
        return Task.FromResult<IHarnessComponent>(new AwsS3Binding(metadata.Definition.Name, options, CreateClient(options), context.Clock));
    }

    private static AmazonS3Client CreateClient(S3Options options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // s3rver stores aws-chunked framing verbatim; plain payloads work against S3 and s3rver alike.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.UseHttp = endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        if (options.InsecureSsl)
        {
            config.HttpClientFactory = new InsecureHttpClientFactory();
        }

        return options.AccessKey is { } accessKey && options.SecretKey is { } secretKey
            ? new AmazonS3Client(
                options.SessionToken is { } token ? new SessionAWSCredentials(accessKey, secretKey, token) : new BasicAWSCredentials(accessKey, secretKey),
                config)
            // Without static keys the Go SDK falls back to its default chain (environment, profile, role); so does AWSSDK.
            : new AmazonS3Client(config);
    }

    /// <summary><c>insecureSSL: "true"</c>: accept any server certificate, as the Go binding's custom transport does.</summary>
    private sealed class InsecureHttpClientFactory : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
#pragma warning disable CA5359, CA2000 // Deliberate: the component option exists to skip verification; the client owns the handler.
            var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
#pragma warning restore CA5359, CA2000
            return new HttpClient(handler);
        }
    }
}

/// <summary>The component-level settings (request metadata may override the base64 flags).</summary>
internal sealed record S3Options(
    string Bucket,
    string? Endpoint,
    string? Region,
    bool ForcePathStyle,
    bool DecodeBase64,
    bool EncodeBase64,
    bool InsecureSsl,
    string? AccessKey,
    string? SecretKey,
    string? SessionToken)
{
    public static S3Options From(ComponentMetadata metadata)
    {
        var disableSsl = metadata.Flag("disableSSL", false);
        string? endpoint = null;
        if (metadata.Get("endpoint") is { } raw)
        {
            // Init prefixes http:// when disableSSL is set and the endpoint has no scheme.
            endpoint = raw.Contains("://", StringComparison.Ordinal) ? raw : (disableSsl ? "http://" : "https://") + raw;
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                throw metadata.Error("endpoint", $"'{raw}' is not an http(s) URL");
            }
        }

        return new S3Options(
            metadata.Required("bucket"),
            endpoint,
            metadata.Get("region") ?? metadata.Get("awsRegion"),
            metadata.Flag("forcePathStyle", false),
            metadata.Flag("decodeBase64", false),
            metadata.Flag("encodeBase64", false),
            metadata.Flag("insecureSSL", false),
            metadata.Get("accessKey"),
            metadata.Get("secretKey"),
            metadata.Get("sessionToken"));
    }
}
