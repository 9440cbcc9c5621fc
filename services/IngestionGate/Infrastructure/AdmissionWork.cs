using IngestionGate.Domain;
using Platform.Substrate.Errors;

namespace IngestionGate.Infrastructure;

/// <summary>What IG answers for one envelope: its receipt, or a request problem (nothing decided, nothing half-written).</summary>
public sealed record AdmissionResult(Receipt? Receipt, PlatformProblem? Problem, string? Detail)
{
    public static AdmissionResult Decided(Receipt receipt) => new(receipt, null, null);

    public static AdmissionResult Failed(PlatformProblem problem, string? detail = null) => new(null, problem, detail);
}

/// <summary>One evaluated envelope (<see cref="Admissible"/> or <see cref="Quarantine"/>) on its way through the pipeline.</summary>
public sealed class AdmissionWork
{
    private readonly TaskCompletionSource<AdmissionResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AdmissionWork(AdmissionOutcome outcome, DateTimeOffset receivedAt)
    {
        if (outcome is not (Admissible or Quarantine))
        {
            throw new ArgumentException("Only admissible or quarantined envelopes enter the pipeline.", nameof(outcome));
        }

        Outcome = outcome;
        ReceivedAt = receivedAt;
    }

    public AdmissionOutcome Outcome { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Set the first time the event is found in flight elsewhere: waiting stops there and a retryable 409 goes out.</summary>
    public DateTimeOffset? WaitUntil { get; set; }

    public Task<AdmissionResult> Completion => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    public void Complete(AdmissionResult result) => _completion.TrySetResult(result);
}
