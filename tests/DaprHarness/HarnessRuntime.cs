using DaprHarness.Cli;
using DaprHarness.Components;
using DaprHarness.Resources;

namespace DaprHarness;

/// <summary>Everything one running sidecar knows: its flags, configuration, loaded components and app channel.</summary>
public sealed class HarnessRuntime(
    DaprdFlags flags,
    SidecarConfiguration configuration,
    ComponentRegistry components,
    HarnessContext context,
    AppChannel app)
{
    public DaprdFlags Flags { get; } = flags;

    public SidecarConfiguration Configuration { get; } = configuration;

    public ComponentRegistry Components { get; } = components;

    public HarnessContext Context { get; } = context;

    public AppChannel App { get; } = app;
}
