using Amazon.S3;
using Npgsql;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests.Infrastructure;

/// <summary>Direct clients of the backing services, to check what the sidecar really stored.</summary>
internal static class Backends
{
    private static readonly Lazy<NpgsqlDataSource> SharedDatabase = new(() => NpgsqlDataSource.Create(BackendEnvironment.Current.PostgresConnection));

    /// <summary>The platform database the state stores and the harness's Kinesis emulation live in.</summary>
    public static NpgsqlDataSource Database => SharedDatabase.Value;

    public static string Bucket => BackendEnvironment.Current.S3Bucket;

    /// <summary>The secrets file backends-up.sh generated: what the <c>secretstore</c> component serves.</summary>
    public static IReadOnlyDictionary<string, string> Secrets => BackendEnvironment.Current.Secrets;

    /// <summary>An S3 client straight to s3rver with the keys the <c>objectstore</c> component uses.</summary>
    public static AmazonS3Client S3() => BackendEnvironment.Current.S3Client();

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
