using System.Collections.Concurrent;
using Dapr.Workflow;

namespace DaprHarness.Tests.Workflow;

// Workflows and activities the conformance tests run on the real Dapr.Workflow 1.19.0 worker.

internal sealed record FailInput(string Message, bool Catch);

internal sealed record Approval(string By);

internal sealed record Tally(int Round, int Total);

internal sealed class GreetActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input) => Task.FromResult($"Hello, {input}!");
}

internal sealed class GreetingWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) => context.CallActivityAsync<string>(nameof(GreetActivity), input);
}

internal sealed class FailActivity : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input) => throw new InvalidOperationException($"boom: {input}");
}

/// <summary>Calls <see cref="FailActivity"/>; either reports the failure it caught or lets the workflow fail.</summary>
internal sealed class FailingActivityWorkflow : Workflow<FailInput, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, FailInput input)
    {
        try
        {
            return await context.CallActivityAsync<string>(nameof(FailActivity), input.Message);
        }
        catch (WorkflowTaskFailedException e) when (input.Catch)
        {
            return $"{e.FailureDetails.ErrorType}|{e.FailureDetails.ErrorMessage}";
        }
    }
}

/// <summary>Waits on a durable timer and reports the workflow time before and after.</summary>
internal sealed class TimerWorkflow : Workflow<int, DateTime[]>
{
    public override async Task<DateTime[]> RunAsync(WorkflowContext context, int seconds)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromSeconds(seconds));
        return [before, context.CurrentUtcDateTime];
    }
}

/// <summary>Waits for an "approval" event, with a timeout (the SDK implements it as a durable timer).</summary>
internal sealed class ApprovalWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int timeoutSeconds)
    {
        context.SetCustomStatus("waiting-for-approval");
        try
        {
            var approval = await context.WaitForExternalEventAsync<Approval>("approval", TimeSpan.FromSeconds(timeoutSeconds));
            context.SetCustomStatus("approved");
            return $"approved by {approval.By}";
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }
}

/// <summary>Fails until its key has been tried <c>failures</c> times.</summary>
internal sealed class FlakyActivity : WorkflowActivity<string, int>
{
    public static ConcurrentDictionary<string, int> Attempts { get; } = new(StringComparer.Ordinal);

    public override Task<int> RunAsync(WorkflowActivityContext context, string key)
    {
        var attempt = Attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        return attempt <= 2 ? throw new InvalidOperationException($"attempt {attempt} fails") : Task.FromResult(attempt);
    }
}

internal sealed class RetryWorkflow : Workflow<string, int>
{
    public override Task<int> RunAsync(WorkflowContext context, string key) =>
        context.CallActivityAsync<int>(nameof(FlakyActivity), key,
            new WorkflowTaskOptions(new WorkflowRetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromMilliseconds(200))));
}

internal sealed class DoubleWorkflow : Workflow<int, int>
{
    public override Task<int> RunAsync(WorkflowContext context, int input) =>
        input < 0 ? throw new ArgumentOutOfRangeException(nameof(input), "negative input") : Task.FromResult(input * 2);
}

/// <summary>Runs one child that succeeds and one that fails.</summary>
internal sealed class ParentWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int input)
    {
        var doubled = await context.CallChildWorkflowAsync<int>(nameof(DoubleWorkflow), input,
            new ChildWorkflowTaskOptions($"{context.InstanceId}-ok"));
        try
        {
            await context.CallChildWorkflowAsync<int>(nameof(DoubleWorkflow), -1, new ChildWorkflowTaskOptions($"{context.InstanceId}-bad"));
            return $"{doubled}|no failure";
        }
        catch (WorkflowTaskFailedException e)
        {
            return $"{doubled}|{e.FailureDetails.ErrorMessage}";
        }
    }
}

/// <summary>Continues as new until its input reaches 3, then returns it.</summary>
internal sealed class CounterWorkflow : Workflow<int, int>
{
    public override Task<int> RunAsync(WorkflowContext context, int input)
    {
        if (input < 3)
        {
            context.ContinueAsNew(input + 1);
        }

        return Task.FromResult(input);
    }
}

/// <summary>Adds one "add" event per execution and continues as new, keeping unprocessed events, until round 3.</summary>
internal sealed class EventTallyWorkflow : Workflow<Tally, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, Tally tally)
    {
        var value = await context.WaitForExternalEventAsync<int>("add");
        var next = new Tally(tally.Round + 1, tally.Total + value);
        if (next.Round < 3)
        {
            context.ContinueAsNew(next, preserveUnprocessedEvents: true);
            return 0;
        }

        return next.Total;
    }
}

/// <summary>Sends an "approval" event to the instance named by its input.</summary>
internal sealed class SignalWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string target)
    {
        context.SendEvent(target, "approval", new Approval("signal"));
        return Task.FromResult("sent");
    }
}

/// <summary>Waits for an event nobody sends.</summary>
internal sealed class WaitForeverWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) => context.WaitForExternalEventAsync<string>("never");
}

internal sealed class ParentOfWaitingChildWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        context.CallChildWorkflowAsync<string>(nameof(WaitForeverWorkflow), input, new ChildWorkflowTaskOptions($"{context.InstanceId}-child"));
}

/// <summary>Lets a test hold an activity mid-flight: with <see cref="BlocksFirstCall"/>, the first call blocks until released.</summary>
internal sealed class Gate
{
    public bool BlocksFirstCall { get; init; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls;
}

internal sealed class GatedActivity(Gate gate) : WorkflowActivity<string, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        if (Interlocked.Increment(ref gate.Calls) == 1 && gate.BlocksFirstCall)
        {
            gate.Entered.TrySetResult();
            await gate.Release.Task;
        }

        return $"gated {input}";
    }
}

internal sealed class GatedWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) => context.CallActivityAsync<string>(nameof(GatedActivity), input);
}

/// <summary>A timer, then a gated activity.</summary>
internal sealed class TimerThenActivityWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        await context.CreateTimer(TimeSpan.FromSeconds(2));
        return await context.CallActivityAsync<string>(nameof(GatedActivity), input);
    }
}

internal static class TestWorkflows
{
    /// <summary>Registers everything above.</summary>
    public static void RegisterAll(WorkflowRuntimeOptions o)
    {
        o.RegisterWorkflow<GreetingWorkflow>();
        o.RegisterWorkflow<FailingActivityWorkflow>();
        o.RegisterWorkflow<TimerWorkflow>();
        o.RegisterWorkflow<ApprovalWorkflow>();
        o.RegisterWorkflow<RetryWorkflow>();
        o.RegisterWorkflow<DoubleWorkflow>();
        o.RegisterWorkflow<ParentWorkflow>();
        o.RegisterWorkflow<CounterWorkflow>();
        o.RegisterWorkflow<EventTallyWorkflow>();
        o.RegisterWorkflow<WaitForeverWorkflow>();
        o.RegisterWorkflow<ParentOfWaitingChildWorkflow>();
        o.RegisterWorkflow<TimerThenActivityWorkflow>();
        o.RegisterWorkflow<GatedWorkflow>();
        o.RegisterWorkflow<SignalWorkflow>();
        o.RegisterActivity<GreetActivity>();
        o.RegisterActivity<FailActivity>();
        o.RegisterActivity<FlakyActivity>();
        o.RegisterActivity<GatedActivity>();
    }
}
