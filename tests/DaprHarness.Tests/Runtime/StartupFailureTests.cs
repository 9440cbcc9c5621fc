using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>
/// The harness refuses to start on anything it does not emulate, and the message names the file and field (or the
/// flag). daprd itself is more lenient in places (unknown YAML fields are ignored, an undefined Resiliency policy
/// name applies nothing); the harness stops so a test never silently relies on behaviour it does not have.
/// Shapes pinned: dapr/dapr release-1.17 pkg/apis/configuration (ConfigurationSpec keys),
/// pkg/apis/resiliency/v1alpha1/types.go, cmd/daprd/options/options.go (flags).
/// </summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private const string AppId = "startup-check";

    private static Task<HarnessStartupException> StartupFailsAsync(string resources, string? config = null) =>
        Assert.ThrowsAsync<HarnessStartupException>(() => HarnessInstance.StartAsync(AppId, resources, configPath: config));

    private static string Component(string type, params (string Name, string Value)[] metadata) =>
        ComponentYaml.Component("c", type, "v1", [("secretsFile", "/tmp/none.json"), .. metadata]);

    [Fact]
    public async Task An_unsupported_component_type_names_the_file_and_spec_type()
    {
        var resources = _files.Resources(("redis.yaml", Component("state.redis")));
        var error = await StartupFailsAsync(resources);
        Assert.Equal($"{Path.Combine(resources, "redis.yaml")}: spec.type: component type 'state.redis' is not supported by the harness", error.Message);
    }

    [Fact]
    public async Task An_unsupported_version_names_the_file_and_spec_version()
    {
        var resources = _files.Resources(("pg.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: pg
            spec:
              type: state.postgresql
              version: v1
              metadata:
                - name: connectionString
                  value: host=127.0.0.1
            """));
        var error = await StartupFailsAsync(resources);
        Assert.StartsWith($"{Path.Combine(resources, "pg.yaml")}: spec.version: version 'v1' of state.postgresql is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_metadata_field_names_the_file_and_field()
    {
        var resources = _files.Resources(("store.yaml", Component("secretstores.local.file", ("cacheSeconds", "5"))));
        var error = await StartupFailsAsync(resources);
        Assert.Equal(
            $"{Path.Combine(resources, "store.yaml")}: spec.metadata[1](cacheSeconds): metadata field 'cacheSeconds' of secretstores.local.file is not supported by the harness",
            error.Message);
    }

    [Fact]
    public async Task An_unsupported_configuration_field_names_the_file_and_field()
    {
        var config = _files.Write("config.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: c
            spec:
              tracing:
                samplingRate: "1"
              mtls:
                enabled: true
            """);
        var error = await StartupFailsAsync(_files.Resources(), config);
        Assert.Equal($"{config}: spec.mtls: is not supported by the harness", error.Message);
    }

    [Fact]
    public async Task An_access_control_policy_without_namespace_is_refused_as_daprd_refuses_it()
    {
        var config = _files.Write("acl.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: c
            spec:
              accessControl:
                policies:
                  - appId: a
                    trustDomain: public
            """);
        var error = await StartupFailsAsync(_files.Resources(), config);
        Assert.StartsWith($"{config}: spec.accessControl.policies[0].namespace: is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undefined_resiliency_policy_name_names_the_file_and_field()
    {
        var resources = _files.Resources(("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            spec:
              policies:
                retries:
                  quick:
                    policy: constant
                    duration: 100ms
              targets:
                components:
                  objectstore:
                    outbound:
                      retry: qiuck
            """));
        var error = await StartupFailsAsync(resources);
        Assert.Equal(
            $"{Path.Combine(resources, "resiliency.yaml")}: spec.targets.components.objectstore.outbound.retry: retry policy 'qiuck' is not defined in any Resiliency in scope for app '{AppId}'",
            error.Message);
    }

    [Fact]
    public async Task Actor_resiliency_targets_are_refused()
    {
        var resources = _files.Resources(("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            spec:
              policies:
                timeouts:
                  t: 5s
              targets:
                actors:
                  Counter:
                    timeout: t
            """));
        var error = await StartupFailsAsync(resources);
        Assert.Equal($"{Path.Combine(resources, "resiliency.yaml")}: spec.targets.actors.Counter: actor targets are not supported by the harness", error.Message);
    }

    [Fact]
    public async Task An_unsupported_daprd_flag_is_named()
    {
        var args = HarnessInstance.DaprdArgs(AppId, FreePort.Next(), FreePort.Next(), _files.Resources(), null);
        var error = await Assert.ThrowsAsync<HarnessStartupException>(() => HarnessHost.BuildAsync([.. args, "--enable-mtls"], _ => null));
        Assert.Equal("flag --enable-mtls is not supported by the harness", error.Message);
    }
}
