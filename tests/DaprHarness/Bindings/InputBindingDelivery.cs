using System.Net;
using System.Net.Http.Headers;
using DaprHarness.Components;
using DaprHarness.Http;
using DaprHarness.Resiliency;

namespace DaprHarness.Bindings;

/// <summary>
/// How daprd hands input binding events to an HTTP app (dapr/dapr@release-1.17
/// pkg/runtime/processor/binding/send.go and pkg/channel/http/http_channel.go constructRequest):
/// an OPTIONS probe decides whether a binding without an explicit input direction is read at all, and each event
/// is a POST of the raw bytes to the binding's route, wrapped in the component's inbound Resiliency policy.
/// </summary>
public static class InputBindingDelivery
{
    /// <summary>Component metadata that replaces the binding name as the app path (daprd, any input binding).</summary>
    public const string RouteField = "route";

    /// <summary>How long daprd waits for the probe (pkg/config/app_connection.go DefaultAppBindingOptionsTimeout).</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The app path daprd calls: the <c>route</c> metadata if set, else the component name, Go-path-cleaned.</summary>
    public static string PathOf(ComponentMetadata metadata)
    {
        var cleaned = MethodPath.Clean(metadata.Get(RouteField) ?? metadata.Definition.Name);
        return cleaned.StartsWith('/') ? cleaned : "/" + (cleaned == "." ? "" : cleaned);
    }

    /// <summary>
    /// The OPTIONS probe: subscribed when the app answers 2xx or 405. Throws when the app cannot be reached; daprd
    /// then logs a warning and does not read the binding.
    /// </summary>
    public static async Task<bool> IsAppSubscribedAsync(AppChannel app, string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Options, path) { Content = JsonContent([]) };
        using var response = await app.Client.SendAsync(request, timeout.Token);
        var code = (int)response.StatusCode;
        return code / 100 == 2 || response.StatusCode == HttpStatusCode.MethodNotAllowed;
    }

    /// <summary>
    /// POSTs one event and returns what daprd's handler returns to the component: null on success, else the error.
    /// Any answer but 200 is a failed attempt for the retry policy (daprd wraps it in a CodeError carrying the
    /// status); when the last attempt still fails, a 2xx answer counts as delivered only without a retry policy,
    /// because daprd's retry runner discards the failed attempt's response.
    /// </summary>
    public static async Task<Exception?> SendAsync(
        AppChannel app,
        string path,
        byte[] data,
        IReadOnlyDictionary<string, string> metadata,
        ResiliencyPolicy policy,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var lastStatus = 0;
        var lastBody = "";
        var failure = await policy.ExecuteAsync(async attempt =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(data) };
            foreach (var (name, value) in metadata)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await app.Client.SendAsync(request, attempt);
            lastStatus = (int)response.StatusCode;
            lastBody = await response.Content.ReadAsStringAsync(attempt);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new HttpRequestException(
                    $"error sending binding event to application, status {lastStatus}", null, response.StatusCode);
            }
        }, clock, cancellationToken);

        return failure switch
        {
            null => null,
            HttpRequestException { StatusCode: not null } when policy.Retry is null && lastStatus / 100 == 2 => null,
            HttpRequestException { StatusCode: not null } => new InvalidOperationException(
                $"fails to send binding event to http app channel, status code: {lastStatus} body: {lastBody}", failure),
            _ => new InvalidOperationException($"error invoking app: {failure.Message}", failure),
        };
    }

    private static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
