using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Npgsql;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>Direct clients of the backing services, to check what the sidecar really stored.</summary>
internal static class Backends
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> LocalSecrets = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(BackendEnvironment.Current["PLATFORM_SECRETS_FILE"]))
        ?? throw new InvalidOperationException("the local_parity secrets file is JSON null"));

    private static readonly Lazy<NpgsqlDataSource> SharedDatabase = new(() => NpgsqlDataSource.Create(BackendEnvironment.Current.PostgresConnection));

    /// <summary>The platform database the state stores and the harness's Kinesis emulation live in.</summary>
    public static NpgsqlDataSource Database => SharedDatabase.Value;

    public static string Bucket => BackendEnvironment.Current.S3Bucket;

    /// <summary>The secrets file backends-up.sh generated: what the <c>secretstore</c> component serves.</summary>
    public static IReadOnlyDictionary<string, string> Secrets => LocalSecrets.Value;

    /// <summary>An S3 client straight to s3rver with the keys the <c>objectstore</c> component uses.</summary>
    public static AmazonS3Client S3() => new(
        new BasicAWSCredentials(Secrets["s3-access-key"], Secrets["s3-secret-key"]),
        new AmazonS3Config
        {
            ServiceURL = BackendEnvironment.Current.S3Endpoint,
            ForcePathStyle = true,
            UseHttp = true,
            AuthenticationRegion = "us-east-1",
            // s3rver understands neither the SDK's default CRC trailers nor aws-chunked bodies.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>A single-row, single-column query's value; null when there is no row.</summary>
    public static async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteScalarAsync() is T result ? result : default;
    }
}
