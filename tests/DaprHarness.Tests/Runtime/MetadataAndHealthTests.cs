using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>
/// Health and metadata through the real Dapr.Client 1.19.0 and daprd's HTTP routes.
/// Pins: dapr/dapr release-1.17 pkg/api/http/healthz.go (204, ERR_HEALTH_NOT_READY, appid check),
/// pkg/runtime/runtime.go (outbound health ready when the servers listen, inbound after the app is reachable),
/// pkg/api/universal/metadata.go and pkg/api/http/metadata.go (metadata content and JSON shape).
/// Docs: https://docs.dapr.io/reference/api/health_api/ and https://docs.dapr.io/reference/api/metadata_api/.
/// Dapr.Client calls HTTP for health (dotnet-sdk src/Dapr.Client/DaprClientGrpc.cs CheckHealthAsync).
/// </summary>
public sealed class MetadataAndHealthTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _files.Dispose();
        _http.Dispose();
    }

    private static string SecretStore(string name, string secretsFile, params string[] scopes) =>
        ComponentYaml.Component(name, "secretstores.local.file", "v1", [("secretsFile", secretsFile)], scopes);

    [Fact]
    public async Task Health_answers_204_and_WaitForSidecarAsync_returns()
    {
        await using var harness = await HarnessInstance.StartAsync(AppIds.Unique("health"), _files.Resources(), configPath: null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await harness.Client.WaitForSidecarAsync(timeout.Token);
        Assert.True(await harness.Client.CheckOutboundHealthAsync(timeout.Token));
        await Poll.UntilAsync(() => harness.Client.CheckHealthAsync(), "the sidecar to report healthy", TimeSpan.FromSeconds(30));

        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/healthz"), timeout.Token);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        using var otherApp = await _http.GetAsync(new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/healthz?appid=someone-else"), timeout.Token);
        Assert.Equal(HttpStatusCode.InternalServerError, otherApp.StatusCode);
        Assert.Equal("ERR_HEALTH_APPID_NOT_MATCH", await ErrorCodeAsync(otherApp));
    }

    [Fact]
    public async Task Inbound_health_waits_for_the_app_port_while_outbound_health_does_not()
    {
        var appPort = FreePort.Next();
        await using var harness = await HarnessInstance.StartAsync(AppIds.Unique("waiting"), _files.Resources(), appPort, configPath: null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Assert.True(await harness.Client.CheckOutboundHealthAsync(timeout.Token));
        Assert.False(await harness.Client.CheckHealthAsync(timeout.Token));
        using (var notReady = await _http.GetAsync(new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/healthz"), timeout.Token))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, notReady.StatusCode);
            Assert.Equal("ERR_HEALTH_NOT_READY", await ErrorCodeAsync(notReady));
        }

        using var app = new TcpListener(IPAddress.Loopback, appPort);
        app.Start();
        await Poll.UntilAsync(() => harness.Client.CheckHealthAsync(), "the sidecar to report healthy once the app listens", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Metadata_lists_exactly_the_components_in_scope_for_the_app()
    {
        var appId = AppIds.Unique("meta");
        var secrets = _files.Write("secrets.json", """{"k":"v"}""");
        var resources = _files.Resources(
            ("everyone.yaml", SecretStore("for-everyone", secrets)),
            ("mine.yaml", SecretStore("for-me", secrets, appId)),
            ("other.yaml", SecretStore("for-someone-else", secrets, "someone-else")));
        await using var harness = await HarnessInstance.StartAsync(appId, resources, configPath: null);

        var metadata = await harness.Client.GetMetadataAsync();
        Assert.Equal(appId, metadata.Id);
        Assert.Equal(["for-everyone", "for-me"], metadata.Components.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(metadata.Components, c =>
        {
            Assert.Equal("secretstores.local.file", c.Type);
            Assert.Equal("v1", c.Version);
            Assert.Empty(c.Capabilities);
        });

        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/metadata"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(appId, root.GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("runtimeVersion").GetString()));
        Assert.Equal(root.GetProperty("runtimeVersion").GetString(), root.GetProperty("extended").GetProperty("daprRuntimeVersion").GetString());
        Assert.Equal(["for-everyone", "for-me"], root.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        // Go's omitempty: an empty capabilities list is left out, while these objects are always present.
        Assert.All(root.GetProperty("components").EnumerateArray(), c => Assert.False(c.TryGetProperty("capabilities", out _)));
        Assert.Equal("http", root.GetProperty("appConnectionProperties").GetProperty("protocol").GetString());
        Assert.Equal(-1, root.GetProperty("appConnectionProperties").GetProperty("maxConcurrency").GetInt32());
        Assert.Equal("DISABLED", root.GetProperty("actorRuntime").GetProperty("runtimeStatus").GetString());
        Assert.False(root.GetProperty("actorRuntime").GetProperty("hostReady").GetBoolean());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("workflows").ValueKind);
        Assert.False(root.TryGetProperty("subscriptions", out _));
    }

    [Fact]
    public async Task SetMetadata_adds_to_the_extended_metadata_over_grpc_and_http()
    {
        await using var harness = await HarnessInstance.StartAsync(AppIds.Unique("setmeta"), _files.Resources(), configPath: null);

        await harness.Client.SetMetadataAsync("release", "r-1");
        using (var put = await _http.PutAsync(new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/metadata/owner"), new StringContent("team-a")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        var extended = (await harness.Client.GetMetadataAsync()).Extended;
        Assert.Equal("r-1", extended["release"]);
        Assert.Equal("team-a", extended["owner"]);
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errorCode").GetString();
    }
}
