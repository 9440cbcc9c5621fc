using System.Text;
using System.Text.RegularExpressions;

namespace Platformctl.Parity;

/// <summary>
/// Flattens a resource into <c>path → value</c> so two envs compare field by field. A list of mappings is keyed by
/// the item's <c>name</c>, <c>appId</c> or <c>storeName</c> (e.g. <c>spec.metadata[endpoint].value</c>), so order
/// never matters; a list of strings becomes one sorted value (scopes, httpVerb, allowedSecrets compare as sets).
/// </summary>
public static class FieldPaths
{
    private static readonly string[] KeyFields = ["name", "appId", "storeName"];

    public static SortedDictionary<string, string> Flatten(IReadOnlyDictionary<string, object?> root)
    {
        var into = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(root, "", into);
        return into;
    }

    /// <summary>True when <paramref name="rulePath"/> names <paramref name="path"/> or one of its ancestors.</summary>
    public static bool Covers(string rulePath, string path) =>
        path == rulePath
        || (path.StartsWith(rulePath, StringComparison.Ordinal) && path[rulePath.Length] is '.' or '[');

    private static void Walk(object? node, string path, SortedDictionary<string, string> into)
    {
        switch (node)
        {
            case IReadOnlyDictionary<string, object?> map:
                foreach (var (key, value) in map)
                {
                    Walk(value, path.Length == 0 ? key : $"{path}.{key}", into);
                }

                break;
            case IReadOnlyList<object?> list when list.All(item => item is IReadOnlyDictionary<string, object?>):
                for (var i = 0; i < list.Count; i++)
                {
                    var item = (IReadOnlyDictionary<string, object?>)list[i]!;
                    var keyField = KeyFields.FirstOrDefault(k => item.GetValueOrDefault(k) is string);
                    var key = keyField is null ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : (string)item[keyField]!;
                    var itemPath = $"{path}[{key}]";
                    if (item.Count == 1 && keyField is not null)
                    {
                        into[itemPath] = "(present)";
                    }

                    foreach (var (field, value) in item)
                    {
                        if (field != keyField)
                        {
                            Walk(value, $"{itemPath}.{field}", into);
                        }
                    }
                }

                break;
            case IReadOnlyList<object?> list:
                into[path] = "[" + string.Join(", ", list.Select(v => v?.ToString() ?? "null").Order(StringComparer.Ordinal)) + "]";
                break;
            default:
                into[path] = node as string ?? "null";
                break;
        }
    }

    /// <summary>A pattern from the contract with <c>{env}</c>, <c>{app}</c>, <c>{stream}</c> filled in (escaped).</summary>
    public static Regex Expand(string pattern, IReadOnlyDictionary<string, string> placeholders)
    {
        var text = new StringBuilder(pattern);
        foreach (var (name, value) in placeholders)
        {
            text.Replace("{" + name + "}", Regex.Escape(value));
        }

        return new Regex(text.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
