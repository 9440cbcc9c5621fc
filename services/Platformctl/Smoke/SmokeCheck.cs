using System.Diagnostics;
using System.Text;
using Dapr;
using Dapr.Client;
using Platform.Substrate.BuildingBlocks;

namespace Platformctl.Smoke;

/// <summary>
/// Proves each app's sidecar works end to end with its real components: healthy, the components its scopes give it,
/// a state round trip on every state store, an object write/read/delete, and a secret read. Probe data expires or is
/// deleted; nothing is published on the event bus (its consumers would see it as traffic).
/// </summary>
public sealed class SmokeCheck(TextWriter output, TimeSpan waitForSidecar)
{
    private sealed record Probe(string App, DateTimeOffset At);

    public async Task<bool> RunAsync(IReadOnlyList<SidecarEndpoint> sidecars, CancellationToken cancellationToken)
    {
        var allOk = true;
        foreach (var sidecar in sidecars)
        {
            var line = new StringBuilder($"{sidecar.AppId,-7}");
            var ok = true;
            var watch = Stopwatch.StartNew();
            using var client = new DaprClientBuilder()
                .UseHttpEndpoint($"http://127.0.0.1:{sidecar.DaprHttpPort}")
                .UseGrpcEndpoint($"http://127.0.0.1:{sidecar.DaprGrpcPort}")
                .Build();
            try
            {
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    wait.CancelAfter(waitForSidecar);
                    await client.WaitForSidecarAsync(wait.Token);
                }

                var metadata = await client.GetMetadataAsync(cancellationToken);
                line.Append($" healthy, {metadata.Components.Count} components");
                foreach (var component in metadata.Components.OrderBy(c => c.Name, StringComparer.Ordinal))
                {
                    var result = await ProbeAsync(client, sidecar.AppId, component, cancellationToken);
                    if (result is not null)
                    {
                        line.Append($", {component.Name} {result}");
                    }
                }
            }
            catch (Exception e) when (e is DaprException or OperationCanceledException or HttpRequestException or InvalidOperationException)
            {
                ok = false;
                line.Append($" FAILED: {e.GetBaseException().Message}");
            }

            line.Append($" ({watch.ElapsedMilliseconds} ms)");
            await output.WriteLineAsync((ok ? "  ok   " : "  FAIL ") + line);
            allOk &= ok;
        }

        await output.WriteLineAsync(allOk ? "smoke check passed" : "smoke check FAILED");
        return allOk;
    }

    private static async Task<string?> ProbeAsync(DaprClient client, string appId, DaprComponentsMetadata component, CancellationToken cancellationToken)
    {
        var probe = new Probe(appId, DateTimeOffset.UtcNow);
        var key = $"smoke/{appId}/{Guid.NewGuid():N}";
        if (component.Type.StartsWith("state.", StringComparison.Ordinal))
        {
            var store = new DaprStateStore(client, component.Name);
            await store.SaveAsync(key, probe, TimeSpan.FromMinutes(1), cancellationToken);
            var read = await store.GetAsync<Probe>(key, cancellationToken);
            return read?.Value == probe ? "state ok" : throw new InvalidOperationException($"{component.Name}: state read back differs");
        }

        if (component.Type == "bindings.aws.s3")
        {
            var objects = new DaprObjectStore(client, component.Name);
            var bytes = Encoding.UTF8.GetBytes($"{{\"app\":\"{appId}\"}}");
            await objects.CreateIfAbsentAsync(key, bytes, "application/json", cancellationToken);
            var read = await objects.GetAsync(key, cancellationToken);
            await objects.DeleteAsync(key, cancellationToken);
            return read is not null && read.AsSpan().SequenceEqual(bytes) ? "objects ok" : throw new InvalidOperationException($"{component.Name}: object read back differs");
        }

        if (component.Type.StartsWith("secretstores.", StringComparison.Ordinal))
        {
            var secret = await new DaprSecrets(client, component.Name).GetSecretAsync("api-keys", cancellationToken);
            return secret.Length > 0 ? "secrets ok" : throw new InvalidOperationException($"{component.Name}: api-keys is empty");
        }

        return null;
    }
}
