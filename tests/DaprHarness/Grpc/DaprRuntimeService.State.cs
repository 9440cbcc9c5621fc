using System.Globalization;
using System.Runtime.ExceptionServices;
using Dapr.Client.Autogen.Grpc.v1;
using DaprHarness.Components;
using DaprHarness.State;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprHarness.Grpc;

/// <summary>
/// The state API, after dapr/dapr release-1.17 pkg/api/grpc/grpc.go: keys are prefixed per store
/// (<see cref="StateKeyPrefix"/>), each call runs under the store's outbound resiliency policy, and failures map to
/// daprd's codes: ETag mismatch → Aborted (SaveState, DeleteState, DeleteBulkState), every transaction failure →
/// Internal, unknown store → InvalidArgument "state store X is not found", no state store at all →
/// FailedPrecondition "state store X is not configured".
/// </summary>
public partial class DaprRuntimeService
{
    private const string TtlExpireTimeKey = "ttlExpireTime";

    public virtual async Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var store = StateStore(request.StoreName);
        var key = StoredKey(store, request.StoreName, request.Key);
        StateEntry? entry;
        try
        {
            entry = await WithStatePolicyAsync(request.StoreName, ct => store.GetAsync(key, ct), context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw StateFailure(StatusCode.Internal, "ERR_STATE_GET", $"fail to get {request.Key} from state store {request.StoreName}: {e.Message}", e);
        }

        var response = new GetStateResponse();
        if (entry is not null)
        {
            response.Data = ByteString.CopyFrom(entry.Value);
            response.Etag = entry.ETag;
            AddExpiry(response.Metadata, entry);
        }

        return response;
    }

    public virtual async Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var store = StateStore(request.StoreName);
        var response = new GetBulkStateResponse();
        if (request.Keys.Count == 0)
        {
            return response;
        }

        var keys = request.Keys.Select(k => StoredKey(store, request.StoreName, k)).ToList();
        IReadOnlyList<(string Key, StateEntry? Entry)> results;
        try
        {
            results = await WithStatePolicyAsync(request.StoreName, ct => store.BulkGetAsync(keys, ct), context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            // daprd returns the store's error as is, which gRPC reports as Unknown.
            Logger.LogDebug(e, "bulk get from {Store} failed", request.StoreName);
            throw DaprGrpcError.Bare(StatusCode.Unknown, e.Message);
        }

        foreach (var (key, entry) in results)
        {
            var item = new BulkStateItem { Key = StateKeyPrefix.Original(key) };
            if (entry is not null)
            {
                item.Data = ByteString.CopyFrom(entry.Value);
                item.Etag = entry.ETag;
                AddExpiry(item.Metadata, entry);
            }

            response.Items.Add(item);
        }

        return response;
    }

    public virtual async Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        var store = StateStore(request.StoreName);
        if (request.States.Count == 0)
        {
            return new Empty();
        }

        var writes = new List<StateSet>(request.States.Count);
        foreach (var item in request.States)
        {
            if (item.Key.Length == 0)
            {
                throw StateApiErrors.Basic(StatusCode.InvalidArgument, "ERR_STATE_SAVE", "state key cannot be empty");
            }

            writes.Add(ToSet(store, request.StoreName, item, checkContentType: true));
        }

        try
        {
            await BulkStateOperation.RunAsync(writes, store.SetAsync, StatePolicy(request.StoreName), Runtime.Context.Clock, context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw StateFailure(WriteErrorCode(e), "ERR_STATE_SAVE", $"failed saving state in state store {request.StoreName}: {e.Message}", e);
        }

        return new Empty();
    }

    public virtual async Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        var store = StateStore(request.StoreName);
        var delete = new StateDelete(StoredKey(store, request.StoreName, request.Key), request.Etag?.Value, request.Metadata);
        try
        {
            await WithStatePolicyAsync(request.StoreName, async ct =>
            {
                await store.DeleteAsync(delete, ct);
                return true;
            }, context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw StateFailure(WriteErrorCode(e), "ERR_STATE_DELETE", $"failed deleting state with key {request.Key}: {e.Message}", e);
        }

        return new Empty();
    }

    public virtual async Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context)
    {
        var store = StateStore(request.StoreName);
        var deletes = request.States
            .Select(item => new StateDelete(StoredKey(store, request.StoreName, item.Key), item.Etag?.Value, item.Metadata))
            .ToList();
        if (deletes.Count == 0)
        {
            return new Empty();
        }

        try
        {
            await BulkStateOperation.RunAsync(deletes, store.DeleteAsync, StatePolicy(request.StoreName), Runtime.Context.Clock, context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw StateFailure(WriteErrorCode(e), "ERR_STATE_BULK_DELETE", $"failed deleting state in state store {request.StoreName}: {e.Message}", e);
        }

        return new Empty();
    }

    public virtual async Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        var store = StateStore(request.StoreName);
        var operations = new List<StateOperation>(request.Operations.Count);
        foreach (var operation in request.Operations)
        {
            var item = operation.Request ?? new StateItem();
            operations.Add(operation.OperationType switch
            {
                "upsert" => ToSet(store, request.StoreName, item, checkContentType: false),
                "delete" => new StateDelete(StoredKey(store, request.StoreName, item.Key), item.Etag?.Value, item.Metadata),
                _ => throw StateApiErrors.Basic(StatusCode.Unimplemented, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {operation.OperationType} not supported"),
            });
        }

        try
        {
            await WithStatePolicyAsync(request.StoreName, async ct =>
            {
                await store.ExecuteTransactionAsync(operations, ct);
                return true;
            }, context.CancellationToken);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw StateFailure(StatusCode.Internal, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {e.Message}", e);
        }

        return new Empty();
    }

    /// <summary>state.postgresql v2 has no Query API: daprd answers "state store does not support querying".</summary>
    public virtual Task<QueryStateResponse> QueryStateAlpha1(QueryStateRequest request, ServerCallContext context)
    {
        StateStore(request.StoreName);
        throw StateApiErrors.QueryUnsupported(request.StoreName);
    }

    private IStateStoreComponent StateStore(string name)
    {
        if (!Runtime.Components.OfKind<IStateStoreComponent>().Any())
        {
            throw StateApiErrors.NotConfigured(name);
        }

        return Runtime.Components.TryGet<IStateStoreComponent>(name, out var store) ? store : throw StateApiErrors.NotFound(name);
    }

    private string StoredKey(IStateStoreComponent store, string storeName, string key) =>
        StateKeyPrefix.IsIllegal(key)
            ? throw StateApiErrors.IllegalKey(storeName, key)
            : store.KeyPrefix.Apply(key, storeName, Runtime.Context.AppId, Runtime.Context.Namespace);

    private StateSet ToSet(IStateStoreComponent store, string storeName, StateItem item, bool checkContentType)
    {
        var key = StoredKey(store, storeName, item.Key);

        // daprd re-encodes such values through Go's encoding/json (sorted keys, float64 numbers); not emulated.
        if (checkContentType && item.Metadata.TryGetValue("contentType", out var contentType) && contentType == "application/json")
        {
            throw DaprGrpcError.Bare(StatusCode.Unimplemented,
                "the harness does not emulate daprd's JSON re-encoding of state saved with metadata contentType=application/json");
        }

        var firstWrite = item.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite;
        return new StateSet(key, item.Value.ToByteArray(), item.Etag?.Value, item.Metadata, firstWrite);
    }

    private Resiliency.ResiliencyPolicy StatePolicy(string storeName) => Runtime.Context.Resiliency.ComponentOutbound(storeName);

    private async Task<T> WithStatePolicyAsync<T>(string storeName, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        T result = default!;
        var failure = await StatePolicy(storeName).ExecuteAsync(async ct => result = await operation(ct), Runtime.Context.Clock, cancellationToken);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return result;
    }

    /// <summary>daprd's getStateErrorCode: Aborted for an ETag mismatch (also inside a bulk failure), else Internal.</summary>
    private static StatusCode WriteErrorCode(Exception e) =>
        e is StateETagMismatchException || (e is BulkStateException bulk && bulk.HasETagMismatch) ? StatusCode.Aborted : StatusCode.Internal;

    private RpcException StateFailure(StatusCode code, string errorCode, string message, Exception cause)
    {
        Logger.LogDebug(cause, "{Message}", message);
        return StateApiErrors.Basic(code, errorCode, message);
    }

    private static void AddExpiry(Google.Protobuf.Collections.MapField<string, string> metadata, StateEntry entry)
    {
        if (entry.ExpiresAt is { } expiresAt)
        {
            metadata[TtlExpireTimeKey] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
    }
}
