using System.Text;

namespace DaprHarness.Tests;

/// <summary>Component resources for the tests' own resource sets.</summary>
internal static class ComponentYaml
{
    /// <summary>
    /// A <c>kind: Component</c> document: the <paramref name="envRefs"/> entries (metadata name → environment
    /// variable) first, then the <paramref name="metadata"/> values, quoted.
    /// </summary>
    public static string Component(
        string name,
        string type,
        string version,
        IEnumerable<(string Name, string Value)> metadata,
        IEnumerable<string>? scopes = null,
        IEnumerable<(string Name, string Variable)>? envRefs = null)
    {
        var yaml = new StringBuilder($"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: {type}
              version: {version}
              metadata:

            """);
        foreach (var (field, variable) in envRefs ?? [])
        {
            yaml.Append($"    - name: {field}\n      envRef: {variable}\n");
        }

        foreach (var (field, value) in metadata)
        {
            yaml.Append($"    - name: {field}\n      value: \"{value}\"\n");
        }

        var scopeList = scopes?.ToList() ?? [];
        if (scopeList.Count > 0)
        {
            yaml.Append("scopes:\n");
            foreach (var scope in scopeList)
            {
                yaml.Append($"  - {scope}\n");
            }
        }

        return yaml.ToString();
    }
}
