namespace DaprHarness.Http;

/// <summary>
/// The callee-side service invocation allowlist (<c>spec.accessControl</c>), evaluated as daprd's pkg/acl/acl.go
/// and pkg/config/acl_trie.go (release-1.17) do. daprd identifies the caller by the SPIFFE id of its mTLS
/// certificate (<c>spiffe://&lt;trustDomain&gt;/ns/&lt;namespace&gt;/&lt;appId&gt;</c>); the harness has no mTLS, so the
/// calling harness supplies that identity on its sidecar-to-sidecar request (never from app headers).
/// </summary>
public sealed class AccessControlList
{
    private readonly Dictionary<string, AppPolicy> _policies;

    public AccessControlList(string defaultAction, string trustDomain, IReadOnlyList<AppPolicy> policies)
    {
        DefaultAction = defaultAction.ToLowerInvariant();
        TrustDomain = trustDomain;
        _policies = new Dictionary<string, AppPolicy>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            // A later policy for the same app and namespace replaces the earlier one, as in daprd's map.
            _policies[Key(policy.AppId, policy.Namespace)] = policy;
        }
    }

    public string DefaultAction { get; }

    /// <summary>The trust domain of this sidecar's own identity.</summary>
    public string TrustDomain { get; }

    /// <summary>
    /// Whether <paramref name="caller"/> may call <paramref name="operation"/> with <paramref name="httpVerb"/> (the
    /// upper-case verb name, or null when the request carries none). The app protocol is always HTTP here, so
    /// operations compare case-insensitively.
    /// </summary>
    public bool Allows(CallerIdentity caller, string operation, string? httpVerb)
    {
        var action = DefaultAction;
        if (!_policies.TryGetValue(Key(caller.AppId, caller.Namespace), out var policy)
            || policy.TrustDomain != caller.TrustDomain
            || policy.Namespace != caller.Namespace)
        {
            return IsAllow(action);
        }

        if (!string.IsNullOrEmpty(policy.DefaultAction))
        {
            action = policy.DefaultAction;
        }

        var normalized = (operation.StartsWith('/') ? operation : "/" + operation).ToLowerInvariant();
        if (policy.Operations.Search(normalized) is { } matched)
        {
            if (httpVerb is null)
            {
                action = policy.DefaultAction;
            }
            else if (matched.VerbActions.TryGetValue(httpVerb, out var verbAction)
                     || matched.VerbActions.TryGetValue("*", out verbAction))
            {
                action = verbAction;
            }
        }

        return IsAllow(action);
    }

    /// <summary>The message daprd returns with PermissionDenied when the list refuses a call.</summary>
    public static string DeniedMessage(CallerIdentity caller, string operation, string? httpVerb) =>
        $"access control policy has denied access to id: {caller.SpiffeId} operation: {operation} verb: {httpVerb ?? "NONE"}";

    private static bool IsAllow(string? action) => string.Equals(action, "allow", StringComparison.OrdinalIgnoreCase);

    private static string Key(string appId, string @namespace) => appId + "||" + @namespace;
}

/// <summary>Who is calling: what daprd reads from the caller's SPIFFE id.</summary>
public sealed record CallerIdentity(string AppId, string Namespace, string TrustDomain)
{
    public string SpiffeId => $"spiffe://{TrustDomain}/ns/{Namespace}/{AppId}";
}

/// <summary>One <c>accessControl.policies[]</c> entry.</summary>
public sealed record AppPolicy(string AppId, string? DefaultAction, string TrustDomain, string Namespace, OperationTrie Operations);

/// <summary>The action per HTTP verb of one <c>operations[]</c> entry (verb names as written, e.g. GET or *).</summary>
public sealed record OperationActions(IReadOnlyDictionary<string, string> VerbActions);

/// <summary>
/// daprd's operation matcher: path segments, where <c>/*</c> matches one final segment, <c>/**</c> any rest, and
/// <c>*</c> inside a segment any characters; an entry without a trailing wildcard also covers every path below it
/// (the first node with actions on the way down answers). The first entry registered for a path wins; among
/// siblings the first match in registration order wins (pkg/config/acl_trie.go).
/// </summary>
public sealed class OperationTrie
{
    private const string OneSegment = "/*";
    private const string AnySegments = "/**";

    private readonly Node _root = new("/");

    /// <summary>Adds an operation name; it must start with '/' (and be lower-case for HTTP apps).</summary>
    public void Add(string operation, OperationActions actions)
    {
        var node = _root;
        var parts = operation.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var segment = "/" + parts[i];
            var last = i == parts.Length - 1;
            var existing = node.Children.FirstOrDefault(c => c.Segment == segment);
            if (existing is null)
            {
                existing = new Node(segment) { Actions = last ? actions : null };
                node.Children.Add(existing);
            }
            else if (last)
            {
                existing.Actions ??= actions;
            }

            node = existing;
        }
    }

    public OperationActions? Search(string operation)
    {
        var node = _root;
        var parts = operation.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            node = FindChild(node, "/" + parts[i], last);
            if (node is null)
            {
                return null;
            }

            if (node.Actions is not null)
            {
                // A "/x*" style segment with data keeps matching deeper unless it is the final segment.
                if (!last && node.Segment.EndsWith(OneSegment, StringComparison.Ordinal) && !node.Segment.EndsWith(AnySegments, StringComparison.Ordinal))
                {
                    continue;
                }

                return node.Actions;
            }

            if (last)
            {
                return FindChild(node, OneSegment, last)?.Actions;
            }
        }

        return null;
    }

    private static Node? FindChild(Node node, string segment, bool last)
    {
        foreach (var child in node.Children)
        {
            if (child.Segment == segment)
            {
                return child;
            }

            if (child.Segment == OneSegment)
            {
                if (last)
                {
                    return child;
                }

                continue;
            }

            if (child.Segment == AnySegments || Glob(segment, child.Segment))
            {
                return child;
            }
        }

        return null;
    }

    /// <summary>'*' in <paramref name="pattern"/> matches any run of characters, including none.</summary>
    private static bool Glob(string text, string pattern)
    {
        var matches = new bool[text.Length + 1, pattern.Length + 1];
        matches[0, 0] = true;
        for (var j = 1; j <= pattern.Length && pattern[j - 1] == '*'; j++)
        {
            matches[0, j] = true;
        }

        for (var i = 1; i <= text.Length; i++)
        {
            for (var j = 1; j <= pattern.Length; j++)
            {
                matches[i, j] = pattern[j - 1] == '*'
                    ? matches[i, j - 1] || matches[i - 1, j]
                    : text[i - 1] == pattern[j - 1] && matches[i - 1, j - 1];
            }
        }

        return matches[text.Length, pattern.Length];
    }

    private sealed class Node(string segment)
    {
        public string Segment { get; } = segment;

        public OperationActions? Actions { get; set; }

        public List<Node> Children { get; } = [];
    }
}
