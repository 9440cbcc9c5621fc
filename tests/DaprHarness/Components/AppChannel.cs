using System.Net.Sockets;

namespace DaprHarness.Components;

/// <summary>
/// The sidecar → app HTTP channel. Adds Dapr's app API token (<c>dapr-api-token</c>) when APP_API_TOKEN is set,
/// as daprd does for every call it makes to the app.
/// </summary>
public sealed class AppChannel : IDisposable
{
    public const string ApiTokenHeader = "dapr-api-token";

    private readonly HttpClient? _client;

    public AppChannel(string address, int? port, string? appApiToken)
    {
        Port = port;
        Address = address;
        if (port is { } p)
        {
            // daprd's app channel does not follow redirects; the app's 3xx goes back to the caller.
            var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
            _client = new HttpClient(handler) { BaseAddress = new Uri($"http://{address}:{p}/"), Timeout = Timeout.InfiniteTimeSpan };
            if (!string.IsNullOrEmpty(appApiToken))
            {
                _client.DefaultRequestHeaders.Add(ApiTokenHeader, appApiToken);
            }
        }
    }

    public string Address { get; }

    public int? Port { get; }

    public bool HasApp => _client is not null;

    public HttpClient Client => _client ?? throw new InvalidOperationException("no --app-port was given, so there is no app to call");

    /// <summary>Waits until the app's port accepts TCP connections, as daprd does before starting input bindings.</summary>
    public async Task WaitUntilReachableAsync(CancellationToken cancellationToken)
    {
        if (Port is not { } port)
        {
            return;
        }

        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(Address, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    public void Dispose() => _client?.Dispose();
}
