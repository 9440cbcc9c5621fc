using System.Net;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>
/// HTTP service invocation between two harnesses to a real ASP.NET Core app, through
/// <c>DaprClient.CreateInvokeHttpClient</c> (dotnet-sdk src/Dapr.Client/InvocationHandler.cs rewrites
/// <c>http://app-id/path</c> to <c>/v1.0/invoke/app-id/method/path</c> on the caller's sidecar).
/// Pins: dapr/dapr release-1.17 pkg/api/http/directmessaging.go (routes, ERR_DIRECT_INVOKE, 403 on PermissionDenied,
/// app status and body passed through), pkg/messaging/direct_messaging.go (caller/callee headers, self-invocation),
/// pkg/api/grpc/daprinternal.go and pkg/acl/acl.go (callee-side access control),
/// components-contrib release-1.17 nameresolution/mdns/mdns.go ("couldn't find service").
/// Docs: https://docs.dapr.io/reference/api/service_invocation_api/ and
/// https://docs.dapr.io/operations/configuration/invoke-allowlist/.
/// </summary>
public sealed class ServiceInvocationTests : IAsyncLifetime, IDisposable
{
    private readonly TempFiles _files = new();
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await EchoApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public void Dispose() => _files.Dispose();

    private Task<HarnessInstance> StartAsync(string appId, int? appPort = null) =>
        HarnessInstance.StartAsync(appId, _files.Resources(), appPort);

    private static HttpClient InvokeClient(string appId, int callerHttpPort, string? apiToken = null) =>
        DaprClient.CreateInvokeHttpClient(appId, $"http://127.0.0.1:{callerHttpPort}", apiToken);

    [Fact]
    public async Task A_call_reaches_the_callee_app_with_verb_path_query_headers_and_body_and_relays_its_answer()
    {
        var callerId = AppIds.Unique("caller");
        var calleeId = AppIds.Unique("callee");
        await using var callee = await StartAsync(calleeId, _app.Port);
        await using var caller = await StartAsync(callerId);
        using var client = InvokeClient(calleeId, caller.HttpPort);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders/42/lines?expand=true&x=1")
        {
            Content = new StringContent("""{"qty":3}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-custom", "c-1");
        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal(["1"], response.Headers.GetValues("x-echo"));
        var seen = await EchoApp.ReadAsync(response);
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/orders/42/lines", seen.Path);
        Assert.Equal("?expand=true&x=1", seen.Query);
        Assert.Equal("""{"qty":3}""", seen.Body);
        Assert.Equal(["c-1"], seen.Header("x-custom"));
        Assert.StartsWith("application/json", Assert.Single(seen.Header("content-type")), StringComparison.Ordinal);
        Assert.Equal([callerId], seen.Header("dapr-caller-app-id"));
        Assert.Equal(["default"], seen.Header("dapr-caller-namespace"));
        Assert.Equal([calleeId], seen.Header("dapr-callee-app-id"));

        // daprd routes on the decoded path and re-escapes it for the app.
        using (var escaped = await client.GetAsync(new Uri("/files/a%20b", UriKind.Relative)))
        {
            Assert.Equal("/files/a b", (await EchoApp.ReadAsync(escaped)).Path);
        }

        // A non-2xx answer of the app is passed through unchanged, not turned into a Dapr error.
        using var failing = await client.GetAsync(new Uri("/fail", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        Assert.Equal("app is failing", await failing.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// pkg/api/http/directmessaging.go: with an app Resiliency policy a non-2xx/3xx answer is an error the policy
    /// retries; the last answer is passed through once the retries are spent (pkg/resiliency EndpointPolicy).
    /// </summary>
    [Fact]
    public async Task An_app_resiliency_policy_retries_unsuccessful_answers_then_passes_the_last_one_through()
    {
        var callerId = AppIds.Unique("caller");
        var calleeId = AppIds.Unique("callee");
        var resources = _files.Resources(("resiliency.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: invoke
            spec:
              policies:
                retries:
                  twice:
                    policy: constant
                    duration: 10ms
                    maxRetries: 2
              targets:
                apps:
                  {calleeId}:
                    retry: twice
            """));
        await using var callee = await StartAsync(calleeId, _app.Port);
        await using var caller = await HarnessInstance.StartAsync(callerId, resources);
        using var client = InvokeClient(calleeId, caller.HttpPort);

        using var response = await client.GetAsync(new Uri("/fail", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("app is failing", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, _app.Requests.Count(r => r.Path == "/fail"));
    }

    /// <summary>
    /// daprd stores the caller id under the key "dapr-caller-app-id" next to the app's own "Dapr-Caller-App-Id"
    /// in its internal metadata map (direct_messaging.go addCallerAndCalleeAppIDHeaderToMetadata;
    /// service_invocation_additional.go HTTPHeadersToInternalMetadata), and InternalMetadataToHTTPHeader adds both
    /// to the app request: the spoofed value is not replaced, the app sees two values (daprd writes two header
    /// lines, the harness one comma-separated line; equivalent in HTTP, RFC 9110 section 5.3).
    /// </summary>
    [Fact]
    public async Task A_caller_app_id_header_sent_by_the_app_is_not_replaced_and_arrives_next_to_the_real_one()
    {
        var callerId = AppIds.Unique("caller");
        var calleeId = AppIds.Unique("callee");
        await using var callee = await StartAsync(calleeId, _app.Port);
        await using var caller = await StartAsync(callerId);
        using var client = InvokeClient(calleeId, caller.HttpPort);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Add("dapr-caller-app-id", "spoofed-admin");
        using var response = await client.SendAsync(request);

        var values = (await EchoApp.ReadAsync(response)).Header("dapr-caller-app-id")
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToArray();
        Assert.Equal(2, values.Length);
        Assert.Contains(callerId, values);
        Assert.Contains("spoofed-admin", values);
    }

    [Fact]
    public async Task Calling_an_unknown_app_fails_with_ERR_DIRECT_INVOKE()
    {
        await using var caller = await StartAsync(AppIds.Unique("caller"));
        var missing = AppIds.Unique("nobody");
        using var client = InvokeClient(missing, caller.HttpPort);

        using var response = await client.GetAsync(new Uri("/anything", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("ERR_DIRECT_INVOKE", error.Code);
        Assert.Equal($"failed to invoke, id: {missing}, err: couldn't find service: {missing}", error.Message);
    }

    [Fact]
    public async Task Invoking_the_own_app_id_calls_the_app_directly_without_caller_headers()
    {
        var appId = AppIds.Unique("self");
        await using var harness = await StartAsync(appId, _app.Port);
        using var client = InvokeClient(appId, harness.HttpPort);

        using var response = await client.GetAsync(new Uri("/self", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var seen = await EchoApp.ReadAsync(response);
        Assert.Equal("/self", seen.Path);
        Assert.Empty(seen.Header("dapr-caller-app-id"));
    }

    [Fact]
    public async Task The_dapr_app_id_header_addresses_a_call_on_any_path_and_is_not_forwarded()
    {
        var calleeId = AppIds.Unique("callee");
        await using var callee = await StartAsync(calleeId, _app.Port);
        await using var caller = await StartAsync(AppIds.Unique("caller"));
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"http://127.0.0.1:{caller.HttpPort}/inventory/7"));
        request.Headers.Add("dapr-app-id", calleeId);
        using var response = await http.SendAsync(request);

        var seen = await EchoApp.ReadAsync(response);
        Assert.Equal("PUT", seen.Method);
        Assert.Equal("/inventory/7", seen.Path);
        Assert.Empty(seen.Header("dapr-app-id"));
    }

    [Fact]
    public async Task The_callee_access_control_list_refuses_calls_it_does_not_allow_with_403()
    {
        var callerId = AppIds.Unique("caller");
        var otherId = AppIds.Unique("other");
        var calleeId = AppIds.Unique("callee");
        var config = _files.Write("acl.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: acl
            spec:
              accessControl:
                defaultAction: deny
                trustDomain: public
                policies:
                  - appId: {callerId}
                    defaultAction: deny
                    trustDomain: public
                    namespace: default
                    operations:
                      - name: /orders/*
                        httpVerb: ["GET"]
                        action: allow
            """);
        await using var callee = await HarnessInstance.StartAsync(calleeId, _files.Resources(), _app.Port, configPath: config);
        await using var caller = await StartAsync(callerId);
        await using var other = await StartAsync(otherId);
        using var client = InvokeClient(calleeId, caller.HttpPort);
        using var otherClient = InvokeClient(calleeId, other.HttpPort);

        using (var allowed = await client.GetAsync(new Uri("/orders/1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        }

        using var wrongVerb = await client.PostAsync(new Uri("/orders/1", UriKind.Relative), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Forbidden, wrongVerb.StatusCode);
        var error = await ErrorAsync(wrongVerb);
        Assert.Equal("ERR_DIRECT_INVOKE", error.Code);
        Assert.Equal(
            $"failed to invoke, id: {calleeId}, err: rpc error: code = PermissionDenied desc = access control policy has denied access to id: spiffe://public/ns/default/{callerId} operation: orders/1 verb: POST",
            error.Message);

        using var deeper = await client.GetAsync(new Uri("/orders/1/lines", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, deeper.StatusCode);

        // An app without a policy gets the global default action.
        using var stranger = await otherClient.GetAsync(new Uri("/orders/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, stranger.StatusCode);
    }

    private static async Task<(string? Code, string? Message)> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("errorCode").GetString(), json.RootElement.GetProperty("message").GetString());
    }
}
