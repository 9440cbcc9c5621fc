using System.Globalization;
using System.Text.RegularExpressions;
using DaprHarness.Resources;

namespace DaprHarness.Resiliency;

/// <summary>
/// Reads the <c>kind: Resiliency</c> resources in scope for an app and resolves the policy of every component and
/// target app, following daprd (pkg/resiliency/resiliency.go and pkg/apis/resiliency/v1alpha1/types.go,
/// release-1.17, with dapr/kit retry defaults). Where daprd is lenient the harness stops instead: an undefined
/// policy name (daprd silently applies nothing), an invalid value (daprd logs and drops the whole resource), and
/// features it does not emulate (actor targets, retry matching, trip expressions other than consecutive failures).
/// </summary>
public static partial class ResiliencyLoader
{
    private static readonly string[] ComponentTypes = ["Statestore", "Pubsub", "Binding", "Secretstore", "Configuration", "Lock", "Crypto", "Conversation"];

    public static ResiliencyPolicies Load(IReadOnlyList<ResourceDocument> documents, string appId)
    {
        var policies = new Policies();
        var targets = new List<Target>();
        foreach (var doc in documents.Where(d => d.Kind == "Resiliency"))
        {
            // Every Resiliency is checked; only those in scope for this app take effect.
            var inScope = doc.IsInScopeFor(appId);
            Read(doc, inScope ? policies : new Policies(), inScope ? targets : []);
        }

        var componentTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in documents.Where(d => d.Kind == "Component"))
        {
            componentTypes[component.Name] = component.Root.Map("spec")?.Scalar("type") ?? "";
        }

        var inbound = new Dictionary<string, ResiliencyPolicy>(StringComparer.Ordinal);
        var outbound = new Dictionary<string, ResiliencyPolicy>(StringComparer.Ordinal);
        var apps = new Dictionary<string, ResiliencyPolicy>(StringComparer.Ordinal);

        // A later resource's target replaces an earlier one of the same name, as daprd's maps do.
        var named = new Dictionary<(string Kind, string Name, string Direction), Target>();
        foreach (var target in targets)
        {
            named[(target.Kind, target.Name, target.Direction)] = target;
        }

        foreach (var target in named.Values)
        {
            var resolved = policies.Resolve(target.Names, appId);
            var into = target.Kind == "apps" ? apps : target.Direction == "Inbound" ? inbound : outbound;
            into[target.Name] = resolved;
        }

        // A component named in targets.components takes only the policies written there, even for a direction it
        // leaves empty; any other component gets the Default*Policy names for its type and direction, if defined.
        var targetedComponents = named.Keys.Where(k => k.Kind == "components").Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (component, type) in componentTypes)
        {
            if (targetedComponents.Contains(component))
            {
                inbound.TryAdd(component, ResiliencyPolicy.None);
                outbound.TryAdd(component, ResiliencyPolicy.None);
                continue;
            }

            var category = ComponentCategory(type);
            inbound[component] = policies.Defaults(category, "Inbound");
            outbound[component] = policies.Defaults(category, "Outbound");
        }

        return new ResiliencyPolicies(inbound, outbound, apps);
    }

    /// <summary>daprd's component kind in default policy names, from the component type's prefix.</summary>
    private static string ComponentCategory(string type) => type.Split('.')[0] switch
    {
        "state" => "Statestore",
        "pubsub" => "Pubsub",
        "bindings" => "Binding",
        "secretstores" => "Secretstore",
        "configuration" => "Configuration",
        "lock" => "Lock",
        "crypto" => "Crypto",
        "conversation" => "Conversation",
        _ => "",
    };

    private static void Read(ResourceDocument doc, Policies policies, List<Target> targets)
    {
        var root = doc.Root;
        root.Map("metadata")!.RejectUnreadExcept("name", "namespace", "labels", "annotations");
        _ = doc.Scopes;
        var spec = root.Map("spec") ?? throw root.Error("spec", "is required");
        if (spec.Map("policies") is { } section)
        {
            ReadPolicies(section, policies);
        }

        if (spec.Map("targets") is { } targetSection)
        {
            ReadTargets(targetSection, targets);
        }

        spec.RejectUnread();
        root.RejectUnread();
    }

    private static void ReadPolicies(YamlMap section, Policies policies)
    {
        if (section.Map("timeouts") is { } timeouts)
        {
            foreach (var name in timeouts.Keys.ToList())
            {
                CheckPolicyName(timeouts, name);
                var value = Duration(timeouts, name) ?? throw timeouts.Error(name, "needs a duration");
                policies.Timeouts[name] = value;
            }

            timeouts.RejectUnread();
        }

        if (section.Map("retries") is { } retries)
        {
            foreach (var name in retries.Keys.ToList())
            {
                CheckPolicyName(retries, name);
                policies.Retries[name] = ReadRetry(name, retries.Map(name) ?? throw retries.Error(name, "needs a mapping"));
            }

            retries.RejectUnread();
        }

        if (section.Map("circuitBreakers") is { } breakers)
        {
            foreach (var name in breakers.Keys.ToList())
            {
                CheckPolicyName(breakers, name);
                policies.CircuitBreakers[name] = ReadCircuitBreaker(name, breakers.Map(name) ?? throw breakers.Error(name, "needs a mapping"));
            }

            breakers.RejectUnread();
        }

        section.RejectUnread();
    }

    /// <summary>
    /// dapr/kit retry.DefaultConfig: constant, 5s, maxInterval 60s, maxRetries -1 (forever). An exponential policy
    /// starts at kit's initialInterval (500ms), which the Resiliency spec cannot set: daprd ignores
    /// <c>duration</c> for it, so the harness does too.
    /// </summary>
    private static RetryPolicy ReadRetry(string name, YamlMap retry)
    {
        var kind = (retry.Scalar("policy") ?? "constant").ToLowerInvariant();
        if (kind is not ("constant" or "exponential"))
        {
            throw retry.Error("policy", $"'{kind}' must be constant or exponential");
        }

        var duration = Duration(retry, "duration") ?? TimeSpan.FromSeconds(5);
        var maxInterval = Duration(retry, "maxInterval") ?? TimeSpan.FromSeconds(60);
        var maxRetries = retry.Number("maxRetries") ?? -1;
        if (retry.Has("matching"))
        {
            throw retry.Error("matching", "retry matching on status codes is not supported by the harness");
        }

        retry.RejectUnread();
        var exponential = kind == "exponential";
        return new RetryPolicy(name, exponential, exponential ? TimeSpan.Zero : duration, maxInterval, maxRetries);
    }

    /// <summary>
    /// daprd's breaker (gobreaker): maxRequests 0 means 1, interval 0 never clears the counts, timeout 0 means 60s,
    /// and the default trip is <c>consecutiveFailures &gt; 5</c>. <see cref="CircuitBreakerPolicy.ConsecutiveFailures"/>
    /// is the failure count that opens the breaker, so <c>&gt; 5</c> becomes 6.
    /// </summary>
    private static CircuitBreakerPolicy ReadCircuitBreaker(string name, YamlMap breaker)
    {
        var maxRequests = breaker.Number("maxRequests") ?? 0;
        var interval = Duration(breaker, "interval") ?? TimeSpan.Zero;
        var timeout = Duration(breaker, "timeout") ?? TimeSpan.Zero;
        var trip = breaker.Scalar("trip") ?? "consecutiveFailures > 5";
        var match = TripExpression().Match(trip);
        if (!match.Success)
        {
            throw breaker.Error("trip", $"'{trip}': only 'consecutiveFailures > N' (or >=) is supported by the harness");
        }

        var threshold = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        breaker.RejectUnread();
        return new CircuitBreakerPolicy(
            name,
            match.Groups["op"].Value == ">" ? threshold + 1 : threshold,
            timeout == TimeSpan.Zero ? TimeSpan.FromSeconds(60) : timeout,
            maxRequests == 0 ? 1 : maxRequests,
            interval);
    }

    private static void ReadTargets(YamlMap section, List<Target> targets)
    {
        if (section.Map("apps") is { } apps)
        {
            foreach (var app in apps.Keys.ToList())
            {
                var names = apps.Map(app) ?? throw apps.Error(app, "needs a mapping");
                targets.Add(new Target("apps", app, "", ReadNames(names, "circuitBreakerCacheSize")));
            }

            apps.RejectUnread();
        }

        if (section.Map("actors") is { Keys: var actorKeys } actors && actorKeys.Any())
        {
            throw actors.Error(actorKeys.First(), "actor targets are not supported by the harness");
        }

        if (section.Map("components") is { } components)
        {
            foreach (var component in components.Keys.ToList())
            {
                var directions = components.Map(component) ?? throw components.Error(component, "needs a mapping");
                foreach (var direction in (string[])["inbound", "outbound"])
                {
                    var names = directions.Map(direction);
                    targets.Add(new Target("components", component, direction == "inbound" ? "Inbound" : "Outbound",
                        names is null ? PolicyNames.Empty : ReadNames(names)));
                }

                directions.RejectUnread();
            }

            components.RejectUnread();
        }

        section.RejectUnread();
    }

    private static PolicyNames ReadNames(YamlMap map, params string[] alsoAccepted)
    {
        var names = new PolicyNames(
            Reference(map, "timeout"),
            Reference(map, "retry"),
            Reference(map, "circuitBreaker"));
        foreach (var key in alsoAccepted)
        {
            map.Number(key);
        }

        map.RejectUnread();
        return names;
    }

    private static PolicyReference? Reference(YamlMap map, string key) =>
        map.Scalar(key) is { Length: > 0 } name ? new PolicyReference(name, map.File, map.FieldPath(key)) : null;

    private static void CheckPolicyName(YamlMap map, string name)
    {
        if (name.StartsWith("DaprBuiltIn", StringComparison.Ordinal))
        {
            throw map.Error(name, "overriding daprd's built-in policies is not supported by the harness");
        }

        if (name.StartsWith("DefaultApp", StringComparison.Ordinal) || name.StartsWith("DefaultActor", StringComparison.Ordinal))
        {
            throw map.Error(name, "default app and actor policies are not supported by the harness");
        }
    }

    /// <summary>Resiliency durations: a plain integer is milliseconds, anything else a Go duration (parseDuration, kit config.Decode).</summary>
    private static TimeSpan? Duration(YamlMap map, string key)
    {
        var raw = map.Scalar(key);
        if (raw is null)
        {
            return null;
        }

        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return GoDuration.TryParse(raw, out var value) ? value : throw map.Error(key, $"'{raw}' is not a duration such as 5s or 500ms");
    }

    [GeneratedRegex(@"^\s*consecutiveFailures\s*(?<op>>=|>)\s*(?<n>\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TripExpression();

    private sealed record PolicyReference(string Name, string File, string Field);

    private sealed record PolicyNames(PolicyReference? Timeout, PolicyReference? Retry, PolicyReference? CircuitBreaker)
    {
        public static readonly PolicyNames Empty = new(null, null, null);
    }

    /// <summary>One target: an app, or one direction of a component.</summary>
    private sealed record Target(string Kind, string Name, string Direction, PolicyNames Names);

    /// <summary>The named policies of every Resiliency in scope; a later definition of a name replaces an earlier one.</summary>
    private sealed class Policies
    {
        public Dictionary<string, TimeSpan> Timeouts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, RetryPolicy> Retries { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, CircuitBreakerPolicy> CircuitBreakers { get; } = new(StringComparer.Ordinal);

        public ResiliencyPolicy Resolve(PolicyNames names, string appId) => new(
            names.Timeout is { } t ? Positive(Lookup(Timeouts, t, "timeout", appId)) : null,
            names.Retry is { } r ? Lookup(Retries, r, "retry", appId) : null,
            names.CircuitBreaker is { } c ? Lookup(CircuitBreakers, c, "circuit breaker", appId) : null);

        /// <summary>
        /// For each policy kind the first defined of Default{Type}Component{Direction}XPolicy,
        /// DefaultComponent{Direction}XPolicy, DefaultComponentXPolicy, then DefaultXPolicy (getDefaultPolicy).
        /// </summary>
        public ResiliencyPolicy Defaults(string category, string direction)
        {
            IEnumerable<string> Levels(string kind)
            {
                if (ComponentTypes.Contains(category))
                {
                    yield return $"Default{category}Component{direction}{kind}Policy";
                }

                yield return $"DefaultComponent{direction}{kind}Policy";
                yield return $"DefaultComponent{kind}Policy";
                yield return $"Default{kind}Policy";
            }

            T? First<T>(Dictionary<string, T> defined, string kind) where T : class =>
                Levels(kind).Select(n => defined.GetValueOrDefault(n)).FirstOrDefault(p => p is not null);

            var timeout = Levels("Timeout").Where(Timeouts.ContainsKey).Select(n => (TimeSpan?)Timeouts[n]).FirstOrDefault();
            return new ResiliencyPolicy(Positive(timeout), First(Retries, "Retry"), First(CircuitBreakers, "CircuitBreaker"));
        }

        private static TimeSpan? Positive(TimeSpan? timeout) => timeout > TimeSpan.Zero ? timeout : null;

        private static T Lookup<T>(Dictionary<string, T> defined, PolicyReference reference, string kind, string appId) =>
            defined.TryGetValue(reference.Name, out var policy)
                ? policy
                : throw new HarnessStartupException(reference.File, reference.Field,
                    $"{kind} policy '{reference.Name}' is not defined in any Resiliency in scope for app '{appId}'");
    }
}
