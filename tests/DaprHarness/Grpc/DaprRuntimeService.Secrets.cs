using Dapr.Client.Autogen.Grpc.v1;
using DaprHarness.Components;
using Grpc.Core;

namespace DaprHarness.Grpc;

/// <summary>
/// The secrets API after dapr/dapr release-1.17 pkg/api/universal/secrets.go and pkg/messages/predefined.go: the
/// store is checked first (none loaded → FailedPrecondition "secret store is not configured"; unknown →
/// InvalidArgument "failed finding secret store with key X"), then the Configuration's secret scopes
/// (PermissionDenied), then the store runs under its outbound resiliency policy (failure → Internal). Bulk reads
/// silently drop the secrets the scopes deny. These errors are messages.APIError values: a bare status, no details.
/// </summary>
public partial class DaprRuntimeService
{
    public virtual async Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        var store = SecretStore(request.StoreName);
        if (!Runtime.Configuration.Secrets.IsAllowed(request.StoreName, request.Key))
        {
            throw DaprGrpcError.Bare(StatusCode.PermissionDenied,
                $"access denied by policy to get \"{request.Key}\" from \"{request.StoreName}\"");
        }

        IReadOnlyDictionary<string, string>? secret = null;
        var failure = await Runtime.Context.Resiliency.ComponentOutbound(request.StoreName).ExecuteAsync(async ct =>
        {
            // The local file store's own error for a missing key, so a retry policy retries it as daprd would.
            secret = await store.GetSecretAsync(request.Key, request.Metadata, ct)
                ?? throw new KeyNotFoundException($"secret {request.Key} not found");
        }, Runtime.Context.Clock, context.CancellationToken);
        if (failure is not null)
        {
            throw DaprGrpcError.Bare(StatusCode.Internal,
                $"failed getting secret with key {request.Key} from secret store {request.StoreName}: {Reason(failure)}");
        }

        var response = new GetSecretResponse();
        foreach (var (name, value) in secret!)
        {
            response.Data[name] = value;
        }
        return response;
    }

    public virtual async Task<GetBulkSecretResponse> GetBulkSecret(GetBulkSecretRequest request, ServerCallContext context)
    {
        var store = SecretStore(request.StoreName);
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var failure = await Runtime.Context.Resiliency.ComponentOutbound(request.StoreName).ExecuteAsync(
            async ct => secrets = await store.GetBulkSecretAsync(request.Metadata, ct),
            Runtime.Context.Clock, context.CancellationToken);
        if (failure is not null)
        {
            throw DaprGrpcError.Bare(StatusCode.Internal,
                $"failed getting secrets from secret store {request.StoreName}: {Reason(failure)}");
        }

        var response = new GetBulkSecretResponse();
        foreach (var (key, values) in secrets.Where(s => Runtime.Configuration.Secrets.IsAllowed(request.StoreName, s.Key)))
        {
            var entry = new SecretResponse();
            foreach (var (name, value) in values)
            {
                entry.Secrets[name] = value;
            }

            response.Data.Add(key, entry);
        }

        return response;
    }

    private ISecretStoreComponent SecretStore(string name)
    {
        if (!Runtime.Components.OfKind<ISecretStoreComponent>().Any())
        {
            throw DaprGrpcError.Bare(StatusCode.FailedPrecondition, "secret store is not configured");
        }

        return Runtime.Components.TryGet<ISecretStoreComponent>(name, out var store)
            ? store
            : throw DaprGrpcError.Bare(StatusCode.InvalidArgument, $"failed finding secret store with key {name}");
    }

    /// <summary>What daprd prints for an operation error; a per-attempt timeout is Go's context deadline.</summary>
    private static string Reason(Exception failure) =>
        failure is OperationCanceledException ? "context deadline exceeded" : failure.Message;
}
