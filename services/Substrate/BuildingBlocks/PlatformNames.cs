namespace Platform.Substrate.BuildingBlocks;

/// <summary>
/// Every Dapr component, stream, app-id and workflow name the platform uses. Component names are identical
/// in every <c>components/&lt;env&gt;/</c> set; only types and metadata differ between environments.
/// </summary>
public static class PlatformNames
{
    public static class AppIds
    {
        public const string IngestionGate = "ig";
        public const string DecisionLoop = "rtdl";
        public const string CaseLabels = "cm";
        public const string FeatureStore = "ofs";
        public const string ModelFactory = "mf";
        public const string Registry = "mpr";
        public const string Governance = "obsgov";

        public static readonly IReadOnlyList<string> All =
            [IngestionGate, DecisionLoop, CaseLabels, FeatureStore, ModelFactory, Registry, Governance];
    }

    public static class Components
    {
        public const string SecretStore = "secretstore";
        public const string ObjectStore = "objectstore";
        public const string IgAdmission = "ig-admission";
        public const string RtdlState = "rtdl-state";
        public const string CmStore = "cm-store";
        public const string MprStore = "mpr-store";
        public const string WorkflowState = "workflow-state";

        /// <summary>Output binding that publishes to <paramref name="stream"/>: <c>eb-&lt;short&gt;-out</c>.</summary>
        public static string EventBusOut(EventStream stream) => $"eb-{stream.ShortName}-out";

        /// <summary>Input binding through which <paramref name="appId"/> consumes <paramref name="stream"/>.</summary>
        public static string EventBusIn(EventStream stream, string appId) => $"eb-{stream.ShortName}-in-{appId}";
    }

    public static class Streams
    {
        public static readonly EventStream Traffic = new("traffic", "fp.bus.traffic.v1");
        public static readonly EventStream Context = new("context", "fp.bus.context.v1");
        public static readonly EventStream Decisions = new("rtdl", "fp.bus.rtdl.v1");
        public static readonly EventStream CaseTriggers = new("case-triggers", "fp.bus.case.triggers.v1");
        public static readonly EventStream Governance = new("governance", "fp.bus.governance.v1");

        public static readonly IReadOnlyList<EventStream> All = [Traffic, Context, Decisions, CaseTriggers, Governance];

        /// <summary>The stream whose full name is <paramref name="streamName"/> (e.g. <c>fp.bus.traffic.v1</c>), or null.</summary>
        public static EventStream? Find(string? streamName) => All.FirstOrDefault(s => s.StreamName == streamName);

        /// <summary>The stream whose full name is <paramref name="streamName"/>; for names already validated against <see cref="All"/>.</summary>
        public static EventStream Named(string streamName) =>
            Find(streamName) ?? throw new ArgumentException($"'{streamName}' is not a platform stream.", nameof(streamName));
    }

    public static class Configuration
    {
        /// <summary>Name of both the sidecar Configuration and the Resiliency resource.</summary>
        public const string Platform = "platform";
    }
}

/// <summary>A Kinesis stream of the event bus: a short name used in component names, and the stream name itself.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A Kinesis stream, not a System.IO.Stream.")]
public sealed record EventStream(string ShortName, string StreamName);
