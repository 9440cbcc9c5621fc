using System.Text.Json;
using Platformctl.Delivery;

namespace Platformctl.Produce.Sending;

/// <summary>IG's answer to <c>POST /v1/events:batch</c>: one result per submitted envelope, in order.</summary>
public sealed record BatchResponse(IReadOnlyList<BatchItemResult>? Results);

/// <summary>
/// Either a decision (ADMIT, DUPLICATE, QUARANTINE with its receipt) or a per-item HTTP status with a problem
/// (e.g. 409/503 while another admission of the same event is in flight).
/// </summary>
public sealed record BatchItemResult(
    int Index,
    string? EventId,
    string? Decision,
    string? ReceiptId,
    IReadOnlyList<string>? ReasonCodes,
    int? Status,
    JsonElement? Problem)
{
    public const string Admit = "ADMIT";
    public const string Duplicate = "DUPLICATE";
    public const string Quarantine = "QUARANTINE";

    public bool HasDecision => Decision is Admit or Duplicate or Quarantine;

    /// <summary>The problem's title (or type) for the summary, when the item carries one.</summary>
    public string? ProblemTitle => BatchPosting.TitleOf(Problem);
}
