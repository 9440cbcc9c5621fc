using System.Text;

namespace DaprHarness.Http;

/// <summary>How daprd cleans the method of a service invocation before the ACL and the app see it.</summary>
public static class MethodPath
{
    /// <summary>
    /// pkg/messaging/method/normalize.go NormalizeMethod (release-1.17): refuses '#', '?', NUL and control
    /// characters, resolves <c>.</c> and <c>..</c> like Go's path.Clean and drops any leading <c>../</c>.
    /// </summary>
    public static bool TryNormalize(string method, out string normalized, out string problem)
    {
        normalized = "";
        if (method.IndexOfAny(['#', '?', '\0']) >= 0)
        {
            problem = $"method contains forbidden character: {GoQuote(method)}";
            return false;
        }

        for (var i = 0; i < method.Length; i++)
        {
            if (method[i] < 0x20 || method[i] == 0x7f)
            {
                problem = $"method contains control character at position {i}: {GoQuote(method)}";
                return false;
            }
        }

        var cleaned = Clean(method);
        while (cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            cleaned = cleaned[3..];
        }

        normalized = cleaned is ".." or "." ? "" : cleaned;
        problem = "";
        return true;
    }

    /// <summary>Go's path.Clean: the shortest equivalent path ("" becomes ".").</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add("..");
                }

                continue;
            }

            parts.Add(part);
        }

        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private static string GoQuote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\0' => "\\x00",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
