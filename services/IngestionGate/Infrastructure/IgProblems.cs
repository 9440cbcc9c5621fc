using Microsoft.AspNetCore.Http;
using Platform.Substrate.Errors;

namespace IngestionGate.Infrastructure;

/// <summary>
/// IG's own request errors, beside Substrate's catalogue. The retryable ones (<see cref="Retryable"/>) mean "nothing
/// was decided for this event yet": the producer retries with the same event_id and never causes a second publish.
/// </summary>
public static class IgProblems
{
    /// <summary>Another submission of the same event is being admitted right now.</summary>
    public static readonly PlatformProblem AdmissionInFlight = new(
        "admission_in_flight", StatusCodes.Status409Conflict, "Another submission of this event is being admitted; retry later.");

    /// <summary>An earlier publish of this event has an unknown outcome and waits for an operator.</summary>
    public static readonly PlatformProblem AdmissionAmbiguous = new(
        "admission_ambiguous", StatusCodes.Status409Conflict, "This event's publish outcome is unknown and awaits an operator; retry later.");

    /// <summary>The event bus did not confirm this publish; the admission is now PUBLISH_AMBIGUOUS.</summary>
    public static readonly PlatformProblem PublishAmbiguous = new(
        "publish_ambiguous", StatusCodes.Status503ServiceUnavailable, "The event bus did not confirm the publish; the admission awaits an operator.");

    /// <summary>An operator resolution does not apply to the admission's current state.</summary>
    public static readonly PlatformProblem NotResolvable = new(
        "admission_not_resolvable", StatusCodes.Status409Conflict, "The admission is not in a state an operator may resolve.");

    /// <summary>Problems after which the same request may succeed; answered with Retry-After.</summary>
    public static bool Retryable(PlatformProblem problem) =>
        problem == AdmissionInFlight || problem == AdmissionAmbiguous || problem == PublishAmbiguous
        || problem.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable;
}
