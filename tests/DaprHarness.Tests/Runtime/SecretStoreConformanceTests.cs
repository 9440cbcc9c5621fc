using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>
/// secretstores.local.file and the secrets API through the real Dapr.Client 1.19.0.
/// Pins: components-contrib release-1.17 secretstores/local/file/filestore.go (flattening with nestedSeparator,
/// multiValued, leaf formatting); dapr/dapr release-1.17 pkg/api/universal/secrets.go (order of checks, bulk
/// filtering), pkg/messages/predefined.go (codes and messages), pkg/config/configuration.go IsSecretAllowed
/// (scope precedence). Docs: https://docs.dapr.io/reference/components-reference/supported-secret-stores/file-secret-store/
/// and https://docs.dapr.io/developing-applications/building-blocks/secrets/secrets-scopes/.
/// </summary>
public sealed class SecretStoreConformanceTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string SecretsFile(object secrets) => _files.Write($"secrets-{Guid.NewGuid():N}.json", JsonSerializer.Serialize(secrets));

    private Task<HarnessInstance> StartLocalParitySecretStoreAsync(string secretsFile, bool withConfig) =>
        // The real local_parity secretstore.yaml (envRef PLATFORM_SECRETS_FILE, scopes include "ig").
        HarnessInstance.StartAsync("ig", _files.LocalParityResources("secretstore.yaml"),
            environment: new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = secretsFile },
            configPath: withConfig ? HarnessInstance.LocalParityConfig : null);

    [Fact]
    public async Task Nested_objects_and_arrays_flatten_into_separator_joined_keys()
    {
        var file = SecretsFile(new { plain = "p", a = new { b = "x", c = new { d = "deep" } }, list = (string[])["first", "second"], count = 5, flag = true });
        await using var harness = await StartLocalParitySecretStoreAsync(file, withConfig: false);

        Assert.Equal(new Dictionary<string, string> { ["a:b"] = "x" }, await harness.Client.GetSecretAsync("secretstore", "a:b"));
        Assert.Equal("deep", (await harness.Client.GetSecretAsync("secretstore", "a:c:d"))["a:c:d"]);
        Assert.Equal("second", (await harness.Client.GetSecretAsync("secretstore", "list:1"))["list:1"]);
        // filestore.go formats every leaf with fmt.Sprintf("%s", v): non-strings come out as Go's bad-verb text.
        Assert.Equal("%!s(float64=5)", (await harness.Client.GetSecretAsync("secretstore", "count"))["count"]);
        Assert.Equal("%!s(bool=true)", (await harness.Client.GetSecretAsync("secretstore", "flag"))["flag"]);

        var bulk = await harness.Client.GetBulkSecretAsync("secretstore");
        Assert.Equal(["a:b", "a:c:d", "count", "flag", "list:0", "list:1", "plain"], bulk.Keys.Order(StringComparer.Ordinal));
        Assert.All(bulk, kv => Assert.Equal([kv.Key], kv.Value.Keys));
        Assert.Equal("first", bulk["list:0"]["list:0"]);
    }

    [Fact]
    public async Task Nested_separator_and_multi_valued_secrets_follow_the_component_metadata()
    {
        var appId = AppIds.Unique("secrets");
        var file = SecretsFile(new { db = new { user = "u", conn = new { host = "h" } }, plain = "p", dropped = 3 });
        var resources = _files.Resources(("store.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: multi
            spec:
              type: secretstores.local.file
              version: v1
              metadata:
                - name: secretsFile
                  value: {file}
                - name: nestedSeparator
                  value: "."
                - name: multiValued
                  value: "true"
            """));
        await using var harness = await HarnessInstance.StartAsync(appId, resources, configPath: null);

        Assert.Equal(new Dictionary<string, string> { ["user"] = "u", ["conn.host"] = "h" }, await harness.Client.GetSecretAsync("multi", "db"));
        Assert.Equal(new Dictionary<string, string> { ["plain"] = "p" }, await harness.Client.GetSecretAsync("multi", "plain"));
        // With multiValued only top-level strings and objects become secrets; a number is dropped.
        var missing = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("multi", "dropped"));
        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(missing.InnerException).StatusCode);
        Assert.Equal(["db", "plain"], (await harness.Client.GetBulkSecretAsync("multi")).Keys.Order(StringComparer.Ordinal));

        var metadata = await harness.Client.GetMetadataAsync();
        Assert.Equal(["MULTIPLE_KEY_VALUES_PER_SECRET"], Assert.Single(metadata.Components, c => c.Name == "multi").Capabilities);
    }

    [Fact]
    public async Task Missing_key_and_unknown_store_fail_with_daprds_codes_and_messages()
    {
        var file = SecretsFile(new Dictionary<string, string> { ["api-keys"] = "k" });
        await using var harness = await StartLocalParitySecretStoreAsync(file, withConfig: false);

        var missing = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("secretstore", "nope"));
        var rpc = Assert.IsType<RpcException>(missing.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("failed getting secret with key nope from secret store secretstore: secret nope not found", rpc.Status.Detail);

        var unknown = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("other-store", "api-keys"));
        rpc = Assert.IsType<RpcException>(unknown.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("failed finding secret store with key other-store", rpc.Status.Detail);

        var bulkUnknown = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetBulkSecretAsync("other-store"));
        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(bulkUnknown.InnerException).StatusCode);
    }

    [Fact]
    public async Task Without_any_secret_store_the_api_is_not_configured()
    {
        await using var harness = await HarnessInstance.StartAsync(AppIds.Unique("nostore"), _files.Resources(), configPath: null);

        var error = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("secretstore", "api-keys"));
        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.FailedPrecondition, rpc.StatusCode);
        Assert.Equal("secret store is not configured", rpc.Status.Detail);
    }

    [Fact]
    public async Task Local_parity_secret_scopes_allow_api_keys_and_deny_backend_credentials()
    {
        var file = SecretsFile(new Dictionary<string, string>
        {
            ["api-keys"] = "producer-key",
            ["postgres-connection-string"] = "host=db",
            ["s3-secret-key"] = "s3",
        });
        await using var harness = await StartLocalParitySecretStoreAsync(file, withConfig: true);

        Assert.Equal("producer-key", (await harness.Client.GetSecretAsync("secretstore", "api-keys"))["api-keys"]);

        var denied = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("secretstore", "postgres-connection-string"));
        var rpc = Assert.IsType<RpcException>(denied.InnerException);
        Assert.Equal(StatusCode.PermissionDenied, rpc.StatusCode);
        Assert.Equal("access denied by policy to get \"postgres-connection-string\" from \"secretstore\"", rpc.Status.Detail);

        // Bulk reads drop what the scope denies instead of failing.
        Assert.Equal(["api-keys"], (await harness.Client.GetBulkSecretAsync("secretstore")).Keys);

        // The scope is checked before the store: a denied name that does not exist is still PermissionDenied.
        var deniedMissing = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("secretstore", "not-there"));
        Assert.Equal(StatusCode.PermissionDenied, Assert.IsType<RpcException>(deniedMissing.InnerException).StatusCode);
    }

    [Fact]
    public async Task A_relative_secrets_file_resolves_against_the_working_directory()
    {
        var name = $"relative-{Guid.NewGuid():N}.json";
        var absolute = Path.Combine(Environment.CurrentDirectory, name);
        await File.WriteAllTextAsync(absolute, """{"k":"from-cwd"}""");
        try
        {
            await using var harness = await StartLocalParitySecretStoreAsync(name, withConfig: false);
            Assert.Equal("from-cwd", (await harness.Client.GetSecretAsync("secretstore", "k"))["k"]);
        }
        finally
        {
            File.Delete(absolute);
        }
    }
}
