using System.Net;
using Dapr;
using Dapr.Client;
using Google.Rpc;
using Grpc.Core;
using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>
/// DAPR_API_TOKEN on the sidecar. Pins: dapr/dapr release-1.17 pkg/api/http/middlewares.go (401 "invalid api
/// token" except GET healthz and healthz/outbound; the header is removed before the request goes on),
/// pkg/api/grpc/auth.go with pkg/messaging/v1/util.go ErrorFromHTTPResponseCode (Unauthenticated, message
/// "Unauthorized", ErrorInfo detail with http.code and the reason).
/// Docs: https://docs.dapr.io/operations/security/api-token/. Dapr.Client sends the token as dapr-api-token
/// (dotnet-sdk src/Dapr.Client/DaprClientBuilder.cs UseDaprApiToken).
/// </summary>
public sealed class ApiTokenTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _files.Dispose();
        _http.Dispose();
    }

    private Task<HarnessInstance> StartWithTokenAsync(string token, int? appPort = null, string? appId = null)
    {
        var secrets = _files.Write($"secrets-{Guid.NewGuid():N}.json", """{"api-keys":"k"}""");
        return HarnessInstance.StartAsync(appId ?? "ig", _files.LocalParityResources("secretstore.yaml"), appPort: appPort,
            environment: new Dictionary<string, string> { ["DAPR_API_TOKEN"] = token, ["PLATFORM_SECRETS_FILE"] = secrets },
            configPath: null);
    }

    private static DaprClient ClientWithToken(HarnessInstance harness, string token) =>
        new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{harness.GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{harness.HttpPort}")
            .UseDaprApiToken(token)
            .Build();

    [Fact]
    public async Task Grpc_calls_need_the_token_and_fail_Unauthenticated_without_it()
    {
        var token = Guid.NewGuid().ToString("N");
        await using var harness = await StartWithTokenAsync(token);
        using var withToken = ClientWithToken(harness, token);
        using var wrongToken = ClientWithToken(harness, "wrong");

        Assert.Equal("k", (await withToken.GetSecretAsync("secretstore", "api-keys"))["api-keys"]);

        var missing = Assert.IsType<RpcException>((await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetSecretAsync("secretstore", "api-keys"))).InnerException);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal("Unauthorized", missing.Status.Detail);
        var info = ErrorInfoOf(missing);
        Assert.Equal("dapr.io", info.Domain);
        Assert.Equal("401", info.Metadata["http.code"]);
        Assert.Equal("missing api token in request metadata", info.Metadata["http.error_message"]);

        var mismatch = Assert.IsType<RpcException>((await Assert.ThrowsAsync<DaprException>(() => wrongToken.GetMetadataAsync())).InnerException);
        Assert.Equal(StatusCode.Unauthenticated, mismatch.StatusCode);
        Assert.Equal("authentication error: api token mismatch", ErrorInfoOf(mismatch).Metadata["http.error_message"]);
    }

    [Fact]
    public async Task Http_routes_need_the_token_except_health()
    {
        var token = Guid.NewGuid().ToString("N");
        await using var harness = await StartWithTokenAsync(token);
        var metadata = new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/metadata");

        using (var refused = await _http.GetAsync(metadata))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid api token\n", await refused.Content.ReadAsStringAsync());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, metadata))
        {
            request.Headers.Add("dapr-api-token", token);
            using var accepted = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // Dapr.Client without a token can still probe health.
        Assert.True(await harness.Client.CheckOutboundHealthAsync());
        using var health = await _http.GetAsync(new Uri($"http://127.0.0.1:{harness.HttpPort}/v1.0/healthz/outbound"));
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task The_token_is_checked_on_invocation_and_never_forwarded_to_the_callee_app()
    {
        var token = Guid.NewGuid().ToString("N");
        var calleeId = AppIds.Unique("callee");
        await using var app = await EchoApp.StartAsync();
        await using var callee = await HarnessInstance.StartAsync(calleeId, _files.Resources(), app.Port, configPath: null);
        await using var caller = await StartWithTokenAsync(token, appId: AppIds.Unique("caller"));

        using (var without = DaprClient.CreateInvokeHttpClient(calleeId, $"http://127.0.0.1:{caller.HttpPort}"))
        using (var refused = await without.GetAsync(new Uri("/x", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var with = DaprClient.CreateInvokeHttpClient(calleeId, $"http://127.0.0.1:{caller.HttpPort}", token);
        using var response = await with.GetAsync(new Uri("/x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty((await EchoApp.ReadAsync(response)).Header("dapr-api-token"));
    }

    private static ErrorInfo ErrorInfoOf(RpcException exception)
    {
        var status = Google.Rpc.Status.Parser.ParseFrom(exception.Trailers.GetValueBytes("grpc-status-details-bin"));
        return Assert.Single(status.Details).Unpack<ErrorInfo>();
    }
}
