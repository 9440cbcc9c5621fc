namespace DaprHarness.Resiliency;

/// <summary>The Resiliency resources in scope for this app, resolved per target.</summary>
public sealed class ResiliencyPolicies(
    IReadOnlyDictionary<string, ResiliencyPolicy> componentInbound,
    IReadOnlyDictionary<string, ResiliencyPolicy> componentOutbound,
    IReadOnlyDictionary<string, ResiliencyPolicy> apps)
{
    public static readonly ResiliencyPolicies Empty = new(
        new Dictionary<string, ResiliencyPolicy>(), new Dictionary<string, ResiliencyPolicy>(), new Dictionary<string, ResiliencyPolicy>());

    /// <summary>Policy for calls from a component into the app (e.g. an input binding delivery).</summary>
    public ResiliencyPolicy ComponentInbound(string component) => componentInbound.GetValueOrDefault(component) ?? ResiliencyPolicy.None;

    /// <summary>Policy for calls from the app out to a component.</summary>
    public ResiliencyPolicy ComponentOutbound(string component) => componentOutbound.GetValueOrDefault(component) ?? ResiliencyPolicy.None;

    /// <summary>Policy for service invocation to <paramref name="appId"/>.</summary>
    public ResiliencyPolicy App(string appId) => apps.GetValueOrDefault(appId) ?? ResiliencyPolicy.None;
}
