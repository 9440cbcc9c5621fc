using System.Net;

namespace Platform.Substrate.Tests.Identity;

/// <summary>The event-bus consumer route: what daprd's input binding calls, guarded by the app API token.</summary>
public sealed class SidecarEndpointTests
{
    private const string Route = "/eb-traffic-in-rtdl";

    [Fact]
    public async Task With_an_app_api_token_the_consumer_answers_only_the_sidecar()
    {
        var consumed = new List<byte[]>();
        var (app, client) = await IdentityTestHost.StartAsync(IdentityTestHost.LocalParity("sidecar-token"), new FakeSecrets(), consumed);
        await using var _ = app;
        using var __ = client;

        using var anonymous = await PostAsync(client, "r1"u8.ToArray(), token: null);
        using var wrongToken = await PostAsync(client, "r2"u8.ToArray(), token: "guess");
        using var sidecar = await PostAsync(client, "r3"u8.ToArray(), token: "sidecar-token");
        using var probe = new HttpRequestMessage(HttpMethod.Options, Route);
        probe.Headers.Add("dapr-api-token", "sidecar-token");
        using var probed = await client.SendAsync(probe);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sidecar.StatusCode);
        Assert.Equal(HttpStatusCode.OK, probed.StatusCode);
        Assert.Equal(["r3"], consumed.Select(System.Text.Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task In_local_parity_without_a_token_the_consumer_is_open_and_a_failing_handler_answers_500()
    {
        var consumed = new List<byte[]>();
        var (app, client) = await IdentityTestHost.StartAsync(IdentityTestHost.LocalParity(), new FakeSecrets(), consumed);
        await using var _ = app;
        using var __ = client;

        using var ok = await PostAsync(client, [0x00, 0xFF, 0x01], token: null);
        using var poison = await PostAsync(client, "poison"u8.ToArray(), token: null);
        using var probed = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, Route));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, poison.StatusCode);
        Assert.Equal(HttpStatusCode.OK, probed.StatusCode);
        Assert.Equal([0x00, 0xFF, 0x01], Assert.Single(consumed));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] record, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = new ByteArrayContent(record) };
        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        return await client.SendAsync(request);
    }
}
