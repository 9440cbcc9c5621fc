using DaprHarness.Http;
using DaprHarness.Secrets;

namespace DaprHarness.Resources;

/// <summary>
/// The sidecar <c>kind: Configuration</c> given with --config (spec keys of daprd 1.17: pkg/config/configuration.go
/// ConfigurationSpec, release-1.17). Enforced: <c>secrets.scopes</c> and <c>accessControl</c>. Accepted but not
/// emulated (logged at start-up): <c>tracing</c>, <c>metric</c>/<c>metrics</c>, <c>logging</c>, <c>features</c>.
/// Anything else stops the harness, naming the file and field.
/// </summary>
public sealed class SidecarConfiguration
{
    /// <summary>daprd's configuration without --config: allow every call, trust domain "public" (LoadDefaultConfiguration).</summary>
    public static readonly SidecarConfiguration Default = new(null, SecretScopes.None, DefaultAccessControl(), [], []);

    private SidecarConfiguration(
        string? file, SecretScopes secrets, AccessControlList accessControl, IReadOnlyList<string> enabledFeatures, IReadOnlyList<string> notEmulated)
    {
        File = file;
        Secrets = secrets;
        AccessControl = accessControl;
        EnabledFeatures = enabledFeatures;
        NotEmulated = notEmulated;
    }

    public string? File { get; }

    public SecretScopes Secrets { get; }

    public AccessControlList AccessControl { get; }

    /// <summary>Names of <c>features</c> with <c>enabled: true</c>, reported by the metadata API.</summary>
    public IReadOnlyList<string> EnabledFeatures { get; }

    /// <summary>Fields the harness accepted without emulating them, for the start-up log.</summary>
    public IReadOnlyList<string> NotEmulated { get; }

    public static SidecarConfiguration Load(string? path)
    {
        if (path is null)
        {
            return Default;
        }

        if (!System.IO.File.Exists(path))
        {
            throw new HarnessStartupException($"config file '{path}' does not exist");
        }

        // daprd runs os.ExpandEnv over the file before parsing it; refuse rather than read it differently.
        if (System.IO.File.ReadAllText(path).Contains('$', StringComparison.Ordinal))
        {
            throw new HarnessStartupException(path, "(file)", "daprd expands $VARIABLES in the config file; the harness does not, so do not use '$'");
        }

        var docs = ResourceLoader.LoadFile(path);
        if (docs.Count != 1 || docs[0].Kind != "Configuration")
        {
            throw new HarnessStartupException(path, "kind", "the --config file must hold exactly one Configuration");
        }

        var root = docs[0].Root;
        root.Map("metadata")!.RejectUnreadExcept("name", "namespace", "labels", "annotations");
        var notEmulated = new List<string>();
        var spec = root.Map("spec");
        var secrets = SecretScopes.None;
        var accessControl = DefaultAccessControl();
        var features = new List<string>();
        if (spec is not null)
        {
            secrets = ReadSecrets(spec.Map("secrets"));
            accessControl = spec.Map("accessControl") is { } acl ? ReadAccessControl(acl) : accessControl;
            features = ReadFeatures(spec);
            foreach (var (key, validate) in new (string, Action<YamlMap>)[]
                     {
                         ("tracing", ValidateTracing), ("metric", ValidateMetric), ("metrics", ValidateMetric), ("logging", ValidateLogging),
                     })
            {
                if (spec.Map(key) is { } section)
                {
                    validate(section);
                    notEmulated.Add(spec.FieldPath(key));
                }
            }

            if (spec.Has("features"))
            {
                notEmulated.Add(spec.FieldPath("features"));
            }

            spec.RejectUnread();
        }

        root.RejectUnread();
        return new SidecarConfiguration(path, secrets, accessControl, features, notEmulated);
    }

    private static AccessControlList DefaultAccessControl() => new("allow", "public", []);

    private static SecretScopes ReadSecrets(YamlMap? secrets)
    {
        if (secrets is null)
        {
            return SecretScopes.None;
        }

        var byStore = new Dictionary<string, SecretScope>(StringComparer.Ordinal);
        foreach (var scope in secrets.MapList("scopes"))
        {
            var store = scope.Scalar("storeName") ?? "";
            var access = scope.Scalar("defaultAccess") ?? "";
            if (access.Length > 0 && !access.Equals("allow", StringComparison.OrdinalIgnoreCase) && !access.Equals("deny", StringComparison.OrdinalIgnoreCase))
            {
                throw scope.Error("defaultAccess", $"'{access}' must be allow or deny");
            }

            var allowed = scope.StringList("allowedSecrets").ToHashSet(StringComparer.Ordinal);
            var denied = scope.StringList("deniedSecrets").ToHashSet(StringComparer.Ordinal);
            scope.RejectUnread();
            if (!byStore.TryAdd(store, new SecretScope(store, !access.Equals("deny", StringComparison.OrdinalIgnoreCase), allowed, denied)))
            {
                throw scope.Error("storeName", $"'{store}' is repeated in the secrets configuration (daprd refuses to start)");
            }
        }

        secrets.RejectUnread();
        return new SecretScopes(byStore);
    }

    /// <summary>
    /// daprd decodes a standalone config over its defaults, so an omitted defaultAction stays "allow" and an
    /// omitted trustDomain "public" (LoadStandaloneConfiguration). Every policy needs appId, trustDomain and
    /// namespace, or daprd refuses to start (pkg/acl ParseAccessControlSpec).
    /// </summary>
    private static AccessControlList ReadAccessControl(YamlMap acl)
    {
        var defaultAction = acl.Scalar("defaultAction") is { Length: > 0 } d ? d : "allow";
        var trustDomain = acl.Scalar("trustDomain") is { Length: > 0 } t ? t : "public";
        var policies = new List<AppPolicy>();
        foreach (var policy in acl.MapList("policies"))
        {
            var operations = new OperationTrie();
            foreach (var operation in policy.MapList("operations"))
            {
                var name = operation.Scalar("name") ?? "";
                var action = operation.Scalar("action") ?? "";
                var verbs = operation.StringList("httpVerb").ToDictionary(v => v, _ => action, StringComparer.Ordinal);
                operation.RejectUnread();
                operations.Add((name.StartsWith('/') ? name : "/" + name).ToLowerInvariant(), new OperationActions(verbs));
            }

            policies.Add(new AppPolicy(
                policy.RequiredString("appId"),
                policy.Scalar("defaultAction"),
                policy.Scalar("trustDomain") is { Length: > 0 } td ? td : throw policy.Error("trustDomain", "is required in an app policy (daprd refuses to start)"),
                policy.Scalar("namespace") is { Length: > 0 } ns ? ns : throw policy.Error("namespace", "is required in an app policy (daprd refuses to start)"),
                operations));
            policy.RejectUnread();
        }

        acl.RejectUnread();
        return new AccessControlList(defaultAction, trustDomain, policies);
    }

    private static List<string> ReadFeatures(YamlMap spec)
    {
        var enabled = new List<string>();
        foreach (var feature in spec.MapList("features"))
        {
            var name = feature.RequiredString("name");
            if (feature.Flag("enabled", false))
            {
                enabled.Add(name);
            }

            feature.RejectUnread();
        }

        return enabled;
    }

    // The observability sections are not emulated, but their shape is still checked so a typo does not pass.
    private static void ValidateTracing(YamlMap tracing)
    {
        tracing.Scalar("samplingRate");
        tracing.Flag("stdout", false);
        if (tracing.Map("zipkin") is { } zipkin)
        {
            zipkin.RejectUnreadExcept("endpointAddress");
        }

        if (tracing.Map("otel") is { } otel)
        {
            otel.Scalar("protocol");
            otel.Scalar("endpointAddress");
            otel.Flag("isSecure", true);
            otel.StringList("headers");
            otel.Duration("timeout");
            otel.RejectUnread();
        }

        tracing.RejectUnread();
    }

    private static void ValidateMetric(YamlMap metric)
    {
        metric.Flag("enabled", true);
        metric.Flag("recordErrorCodes", false);
        metric.StringList("latencyDistributionBuckets");
        if (metric.Map("http") is { } http)
        {
            http.Flag("increasedCardinality", true);
            http.Flag("excludeVerbs", false);
            http.StringList("pathMatching");
            http.RejectUnread();
        }

        foreach (var rule in metric.MapList("rules"))
        {
            rule.Scalar("name");
            foreach (var label in rule.MapList("labels"))
            {
                label.Scalar("name");
                label.Map("regex");
                label.RejectUnread();
            }

            rule.RejectUnread();
        }

        metric.RejectUnread();
    }

    private static void ValidateLogging(YamlMap logging)
    {
        if (logging.Map("apiLogging") is { } api)
        {
            api.Flag("enabled", false);
            api.Flag("obfuscateURLs", false);
            api.Flag("omitHealthChecks", false);
            api.RejectUnread();
        }

        logging.RejectUnread();
    }
}
