using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;

namespace DaprHarness.Tests.Workflow;

/// <summary>
/// A harness whose component set has an actor state store (the engine's precondition) for an app id no other test
/// uses, and a worker app running <see cref="TestWorkflows"/> against it. Generous limits: the machine is shared.
/// </summary>
internal sealed class WorkflowBed : IAsyncDisposable
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly TempFiles _files;

    private WorkflowBed(TempFiles files, HarnessInstance sidecar)
    {
        _files = files;
        Sidecar = sidecar;
    }

    public HarnessInstance Sidecar { get; }

    public WorkflowApp? App { get; private set; }

    public DaprWorkflowClient Client => App!.Client;

    /// <summary>A workflow-state actor store like local_parity's, for any app id, with its connection from PLATFORM_PG_DSN.</summary>
    public static string ActorStoreYaml => ComponentYaml.Component("workflow-state", "state.postgresql", "v2",
        [("tablePrefix", "workflow_state_"), ("actorStateStore", "true")], envRefs: [("connectionString", "PLATFORM_PG_DSN")]);

    public static async Task<WorkflowBed> StartAsync(Gate? gate = null, bool startApp = true)
    {
        var files = new TempFiles();
        var resources = files.Resources(("workflow-state.yaml", ActorStoreYaml));
        var sidecar = await HarnessInstance.StartAsync($"wf-{Guid.NewGuid():N}"[..20], resources, configPath: null);
        var bed = new WorkflowBed(files, sidecar);
        if (startApp)
        {
            await bed.StartAppAsync(gate ?? new Gate());
        }

        return bed;
    }

    /// <summary>Starts a (new) worker app; <paramref name="gate"/> controls <see cref="GatedActivity"/>.</summary>
    public async Task<WorkflowApp> StartAppAsync(Gate gate)
    {
        App = await WorkflowApp.StartAsync(Sidecar, TestWorkflows.RegisterAll, s => s.AddSingleton(gate));
        return App;
    }

    public async Task StopAppAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
            App = null;
        }
    }

    public static CancellationToken Deadline() => new CancellationTokenSource(Limit).Token;

    public static string NewId(string label) => $"{label}-{Guid.NewGuid():N}";

    public async Task<WorkflowState> RunAsync(string workflow, object? input, string? instanceId = null)
    {
        var id = await Client.ScheduleNewWorkflowAsync(workflow, instanceId ?? NewId(workflow), input);
        return await Client.WaitForWorkflowCompletionAsync(id, cancellation: Deadline());
    }

    public async Task<IReadOnlyList<Dapr.Workflow.Client.WorkflowHistoryEventType>> HistoryTypesAsync(string instanceId) =>
        [.. (await Client.GetInstanceHistoryAsync(instanceId)).Select(e => e.EventType)];

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        await Sidecar.DisposeAsync();
        _files.Dispose();
    }
}
