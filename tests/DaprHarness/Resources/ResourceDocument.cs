namespace DaprHarness.Resources;

/// <summary>One YAML document from a resources path or the --config file, before kind-specific parsing.</summary>
public sealed record ResourceDocument(
    string File,
    string ApiVersion,
    string Kind,
    string Name,
    string? Namespace,
    YamlMap Root)
{
    /// <summary>The <c>scopes</c> list (app-ids allowed to load the resource); empty means every app.</summary>
    public IReadOnlyList<string> Scopes => Root.StringList("scopes");

    public bool IsInScopeFor(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}
