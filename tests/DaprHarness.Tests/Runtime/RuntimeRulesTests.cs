using System.Text.Json;
using DaprHarness.Http;
using DaprHarness.Resiliency;
using DaprHarness.Resources;
using DaprHarness.Secrets;
using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>The rules behind the runtime pieces, checked directly (no sidecar needed).</summary>
public sealed class RuntimeRulesTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Go's %v for float64 is strconv.FormatFloat(v, 'g', -1, 64): shortest digits, %e from exponent 6 or below -4.</summary>
    [Theory]
    [InlineData(5, "5")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(123456, "123456")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(1e6, "1e+06")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.1, "0.1")]
    [InlineData(12345678901234567890d, "1.2345678901234567e+19")]
    public void Go_float_formatting_matches_strconv(double value, string expected) => Assert.Equal(expected, GoFormat.PercentV(value));

    [Fact]
    public void A_key_that_occurs_twice_after_flattening_is_refused()
    {
        using var json = JsonDocument.Parse("""{"a:b":"1","a":{"b":"2"}}""");
        var error = Assert.Throws<InvalidOperationException>(() =>
            LocalFileSecrets.Load(json.RootElement, ":", multiValued: false, key => new InvalidOperationException(key)));
        Assert.Equal("a:b", error.Message);
    }

    /// <summary>pkg/config/configuration.go IsSecretAllowed: allowedSecrets decides alone; then deniedSecrets; then defaultAccess.</summary>
    [Fact]
    public void Secret_scope_precedence_is_allowed_list_then_denied_list_then_default()
    {
        var both = new SecretScope("s", DefaultAllow: false, new HashSet<string> { "a" }, new HashSet<string> { "a", "b" });
        Assert.True(both.Allows("a"));
        Assert.False(both.Allows("c"));
        var deniedOnly = new SecretScope("s", DefaultAllow: true, new HashSet<string>(), new HashSet<string> { "b" });
        Assert.False(deniedOnly.Allows("b"));
        Assert.True(deniedOnly.Allows("c"));
        // Names match case-sensitively.
        Assert.True(deniedOnly.Allows("B"));
        Assert.True(new SecretScopes(new Dictionary<string, SecretScope> { ["s"] = deniedOnly }).IsAllowed("unscoped-store", "b"));
    }

    /// <summary>
    /// pkg/config/acl_trie.go: /* is one final segment, /** any rest, '*' inside a segment any characters, and a
    /// plain path also covers the paths below it.
    /// </summary>
    [Theory]
    [InlineData("/orders/*", "/orders/1", true)]
    [InlineData("/orders/*", "/orders/1/lines", false)]
    [InlineData("/orders/**", "/orders/1/lines", true)]
    [InlineData("/ord*", "/orders", true)]
    [InlineData("/orders", "/orders", true)]
    [InlineData("/orders", "/orders/1", true)]
    [InlineData("/orders/1", "/orders", false)]
    public void Operation_patterns_match_as_daprds_trie(string pattern, string operation, bool matches)
    {
        var trie = new OperationTrie();
        trie.Add(pattern, new OperationActions(new Dictionary<string, string>()));
        Assert.Equal(matches, trie.Search(operation) is not null);
    }

    /// <summary>pkg/acl/acl.go isOperationAllowedByAccessControlPolicy.</summary>
    [Fact]
    public void Access_control_applies_app_policy_verbs_and_falls_back_to_defaults()
    {
        var operations = new OperationTrie();
        operations.Add("/orders/*", new OperationActions(new Dictionary<string, string> { ["GET"] = "allow" }));
        operations.Add("/admin/**", new OperationActions(new Dictionary<string, string> { ["*"] = "deny" }));
        var acl = new AccessControlList("deny", "public", [new AppPolicy("caller", "allow", "public", "default", operations)]);
        var caller = new CallerIdentity("caller", "default", "public");

        Assert.True(acl.Allows(caller, "orders/1", "GET"));
        Assert.True(acl.Allows(caller, "Orders/1", "GET"));
        Assert.True(acl.Allows(caller, "orders/1", "POST"));
        Assert.False(acl.Allows(caller, "admin/users/1", "GET"));
        Assert.True(acl.Allows(caller, "elsewhere", "DELETE"));
        Assert.False(acl.Allows(caller with { TrustDomain = "other" }, "orders/1", "GET"));
        Assert.False(acl.Allows(caller with { Namespace = "prod" }, "orders/1", "GET"));
        Assert.False(acl.Allows(new CallerIdentity("stranger", "default", "public"), "orders/1", "GET"));
    }

    /// <summary>pkg/messaging/method/normalize.go NormalizeMethod and Go's path.Clean.</summary>
    [Theory]
    [InlineData("orders/1", "orders/1")]
    [InlineData("a/./b//c/", "a/b/c")]
    [InlineData("a/../../b", "b")]
    [InlineData("..", "")]
    [InlineData(".", "")]
    [InlineData("/x/../y", "/y")]
    public void Methods_are_cleaned_like_go_paths(string method, string expected)
    {
        Assert.True(MethodPath.TryNormalize(method, out var normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void Methods_with_query_or_fragment_characters_are_refused()
    {
        Assert.False(MethodPath.TryNormalize("a#b", out _, out var problem));
        Assert.Equal("method contains forbidden character: \"a#b\"", problem);
        Assert.False(MethodPath.TryNormalize("a\u0001b", out _, out problem));
        Assert.StartsWith("method contains control character at position 1", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ig")]
    [InlineData("rtdl")]
    [InlineData("cm")]
    [InlineData("ofs")]
    [InlineData("mf")]
    [InlineData("mpr")]
    [InlineData("obsgov")]
    public void Local_parity_resiliency_loads_for_every_app_and_retries_kinesis_deliveries(string appId)
    {
        var documents = ResourceLoader.LoadDirectories([RepoPaths.Components("local_parity")], null);
        var policies = ResiliencyLoader.Load(documents, appId);

        // Every Kinesis input binding is retried inbound: the binding checkpoints whatever the app answers.
        var inputBindings = documents
            .Where(d => d.Kind == "Component" && d.Name.StartsWith("eb-", StringComparison.Ordinal) && d.Name.Contains("-in-", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(inputBindings);
        Assert.All(inputBindings, binding => Assert.NotNull(policies.ComponentInbound(binding.Name).Retry));
    }

    [Fact]
    public void Named_policies_resolve_with_daprs_field_defaults()
    {
        var resources = _files.Resources(("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            spec:
              policies:
                timeouts:
                  objects: 15s
                  delivery: 30s
                retries:
                  outbound:
                    policy: constant
                    duration: 200ms
                    maxRetries: 3
                  delivery:
                    policy: exponential
                    duration: 200ms
                    maxInterval: 5s
                    maxRetries: 8
                circuitBreakers:
                  component:
                    maxRequests: 1
                    interval: 30s
                    timeout: 30s
                    trip: consecutiveFailures > 10
              targets:
                components:
                  objectstore:
                    outbound: { timeout: objects, retry: outbound, circuitBreaker: component }
                  eb-traffic-in-rtdl:
                    inbound: { timeout: delivery, retry: delivery }
            """));
        var policies = ResiliencyLoader.Load(ResourceLoader.LoadDirectories([resources], null), "rtdl");

        var objects = policies.ComponentOutbound("objectstore");
        Assert.Equal(TimeSpan.FromSeconds(15), objects.Timeout);
        Assert.Equal(new RetryPolicy("outbound", false, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(60), 3), objects.Retry);
        // "consecutiveFailures > 10" opens the breaker at the 11th consecutive failure.
        Assert.Equal(new CircuitBreakerPolicy("component", 11, TimeSpan.FromSeconds(30), 1, TimeSpan.FromSeconds(30)), objects.CircuitBreaker);
        Assert.Equal(ResiliencyPolicy.None, policies.ComponentInbound("objectstore"));

        var delivery = policies.ComponentInbound("eb-traffic-in-rtdl");
        Assert.Equal(TimeSpan.FromSeconds(30), delivery.Timeout);
        // An exponential retry starts at dapr/kit's 500ms initial interval whatever `duration` says.
        Assert.Equal(new RetryPolicy("delivery", true, TimeSpan.Zero, TimeSpan.FromSeconds(5), 8), delivery.Retry);
        // dapr/kit: 500 ms × 1.5^(n-1), capped at maxInterval, then randomised by ±50%.
        Assert.InRange(delivery.Retry!.DelayBefore(1), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(750));
        Assert.InRange(delivery.Retry.DelayBefore(3), TimeSpan.FromMilliseconds(562.5), TimeSpan.FromMilliseconds(1687.5));
        Assert.InRange(delivery.Retry.DelayBefore(20), TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(7.5));
    }

    [Fact]
    public void Default_policies_apply_to_untargeted_components_by_type_and_scopes_filter_resources()
    {
        var resources = _files.Resources(
            ("state.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: store
                spec:
                  type: state.postgresql
                  version: v2
                """),
            ("binding.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: queue
                spec:
                  type: bindings.aws.kinesis
                  version: v1
                """),
            ("resiliency.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: defaults
                spec:
                  policies:
                    timeouts:
                      DefaultTimeoutPolicy: 250
                    retries:
                      DefaultStatestoreComponentOutboundRetryPolicy:
                        policy: constant
                      pinned:
                        maxRetries: 2
                    circuitBreakers:
                      breaker: {}
                  targets:
                    apps:
                      other-app:
                        retry: pinned
                        circuitBreaker: breaker
                    components:
                      queue:
                        inbound:
                          retry: pinned
                """),
            ("scoped.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: scoped
                spec:
                  policies:
                    timeouts:
                      DefaultTimeoutPolicy: 9s
                scopes:
                  - someone-else
                """));

        var policies = ResiliencyLoader.Load(ResourceLoader.LoadDirectories([resources], null), "me");

        var store = policies.ComponentOutbound("store");
        Assert.Equal(TimeSpan.FromMilliseconds(250), store.Timeout);
        Assert.Equal(new RetryPolicy("DefaultStatestoreComponentOutboundRetryPolicy", false, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), -1), store.Retry);
        Assert.Null(policies.ComponentInbound("store").Retry);
        // A component named in targets takes only what is written there, even for the direction left empty.
        Assert.Equal(2, policies.ComponentInbound("queue").Retry!.MaxRetries);
        Assert.Equal(ResiliencyPolicy.None, policies.ComponentOutbound("queue"));
        Assert.Equal(new CircuitBreakerPolicy("breaker", 6, TimeSpan.FromSeconds(60), 1, TimeSpan.Zero), policies.App("other-app").CircuitBreaker);
    }

    [Fact]
    public void A_configuration_without_access_control_defaults_allows_and_logs_what_it_ignores()
    {
        var path = _files.Write("config.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: c
            spec:
              tracing:
                samplingRate: "1"
                otel:
                  endpointAddress: localhost:4317
              features:
                - name: SchedulerReminders
                  enabled: true
                - name: Off
                  enabled: false
              accessControl:
                policies:
                  - appId: a
                    trustDomain: public
                    namespace: default
            """);

        var configuration = SidecarConfiguration.Load(path);

        // Decoded over daprd's defaults: an omitted global defaultAction stays "allow", trustDomain "public".
        Assert.Equal("allow", configuration.AccessControl.DefaultAction);
        Assert.Equal("public", configuration.AccessControl.TrustDomain);
        Assert.True(configuration.AccessControl.Allows(new CallerIdentity("b", "default", "public"), "x", "GET"));
        Assert.Equal(["SchedulerReminders"], configuration.EnabledFeatures);
        Assert.Equal(["spec.tracing", "spec.features"], configuration.NotEmulated);
    }

    [Theory]
    [InlineData("tracing:\n    zipkin:\n      endpoint: x", "spec.tracing.zipkin.endpoint: is not supported by the harness")]
    [InlineData("secrets:\n    scopes:\n      - storeName: s\n      - storeName: s", "spec.secrets.scopes[1].storeName: 's' is repeated")]
    [InlineData("secrets:\n    scopes:\n      - storeName: s\n        defaultAccess: maybe", "spec.secrets.scopes[0].defaultAccess: 'maybe' must be allow or deny")]
    [InlineData("api:\n    allowed: []", "spec.api: is not supported by the harness")]
    public void Invalid_or_unsupported_configuration_fields_stop_the_harness(string spec, string expected)
    {
        var path = _files.Write($"config-{Guid.NewGuid():N}.yaml", $"apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  {spec}\n");
        var error = Assert.Throws<HarnessStartupException>(() => SidecarConfiguration.Load(path));
        Assert.StartsWith($"{path}: {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_using_environment_expansion_is_refused()
    {
        var path = _files.Write("env.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  tracing:\n    samplingRate: \"$RATE\"\n");
        var error = Assert.Throws<HarnessStartupException>(() => SidecarConfiguration.Load(path));
        Assert.Contains("expands $VARIABLES", error.Message, StringComparison.Ordinal);
    }
}
