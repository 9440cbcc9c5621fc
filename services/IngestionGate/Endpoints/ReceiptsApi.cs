using IngestionGate.Domain;
using IngestionGate.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;

namespace IngestionGate.Endpoints;

/// <summary>
/// <c>GET /v1/receipts/{receipt_id}</c>: the stored receipt, exactly as written (any authenticated platform actor).
/// The <c>receipt/&lt;receipt_id&gt;</c> index row says where it is (its commit's receipt batch, or its own object);
/// an ADMIT receipt whose write lags its commit is written from the admission row on the way.
/// </summary>
public static class ReceiptsApi
{
    public static IEndpointRouteBuilder MapReceiptsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/receipts/{receipt_id}", GetReceiptAsync);
        return endpoints;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetReceiptAsync(
        [FromRoute(Name = "receipt_id")] string receiptId, AdmissionStore store, EvidenceStore evidence, ReceiptBackfill backfill, CancellationToken cancellationToken)
    {
        if (receiptId.Length != 32 || !Digests.IsHex64(receiptId + receiptId))
        {
            return PlatformProblems.NotFound.ToResult("A receipt_id is 32 lowercase hex characters.");
        }

        var index = await store.GetReceiptIndexAsync(receiptId, cancellationToken);
        if (index is null)
        {
            return PlatformProblems.NotFound.ToResult("No receipt has this id.");
        }

        var stored = await evidence.ReadReceiptAsync(index, receiptId, cancellationToken);
        if (stored is null && index.DedupeKey is { } dedupeKey
            && await store.GetAsync(dedupeKey, cancellationToken) is { Value: { State: AdmissionState.Admitted } row }
            && row.Admission.ReceiptId == receiptId)
        {
            stored = (await backfill.WriteAdmitReceiptAsync(row, cancellationToken)).ToUtf8Json();
        }

        return stored is null
            ? PlatformProblems.NotFound.ToResult("The receipt is not written yet; retry shortly.")
            : TypedResults.Bytes(stored, "application/json");
    }
}
