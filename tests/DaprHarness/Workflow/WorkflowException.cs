using Grpc.Core;

namespace DaprHarness.Workflow;

internal enum WorkflowError
{
    InstanceNotFound,
    NotCompleted,
    AlreadyExists,

    /// <summary>The turn no longer matches the stored instance (it finished or its inbox changed underneath).</summary>
    TurnConflict,
}

/// <summary>An engine error with the status and text the Dapr workflow backend answers (durabletask-go api/errors.go).</summary>
internal sealed class WorkflowException(WorkflowError error, string? detail = null) : Exception(detail ?? Describe(error))
{
    public WorkflowError Error { get; } = error;

    /// <summary>
    /// durabletask-go returns these as plain Go errors, which gRPC reports as Unknown; an active duplicate is
    /// AlreadyExists (dapr orchestrator/create.go).
    /// </summary>
    public RpcException ToRpc() => new(new Status(Error == WorkflowError.AlreadyExists ? StatusCode.AlreadyExists : StatusCode.Unknown, Message));

    private static string Describe(WorkflowError error) => error switch
    {
        WorkflowError.InstanceNotFound => "no such instance exists",
        WorkflowError.NotCompleted => "orchestration has not yet completed",
        WorkflowError.AlreadyExists => "orchestration instance already exists",
        _ => "the workflow instance changed while its turn was running",
    };
}
