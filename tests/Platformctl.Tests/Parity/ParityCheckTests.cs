using System.CommandLine;
using DaprHarness.Resiliency;
using DaprHarness.Resources;
using Platform.Testing;
using Platformctl.Parity;

namespace Platformctl.Tests.Parity;

/// <summary>
/// `platformctl parity check` on the real component sets (passes) and on temp copies drifted one way each (caught,
/// with a line naming the file, the field and the rule).
/// </summary>
public sealed class ParityCheckTests : IDisposable
{
    private readonly ParityRepoCopy _copy = new();

    public void Dispose() => _copy.Dispose();

    [Fact]
    public void The_real_component_sets_keep_the_parity_contract()
    {
        var violations = ParityChecker.Check(RepoPaths.Root);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public async Task The_command_passes_on_the_real_sets_with_exit_code_0()
    {
        var (exitCode, stdout, _) = await InvokeAsync("parity", "check", "--root", RepoPaths.Root);
        Assert.Equal(0, exitCode);
        Assert.Contains("parity check passed", stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string, string> Drifts => new()
    {
        // name, file, old text, new text, expected violation line (prefix)
        { "changed type", "components/prod/cm-store.yaml", "type: state.postgresql", "type: state.postgres",
            "components/prod/cm-store.yaml: spec.type: 'state.postgres' differs from 'state.postgresql'" },
        { "different scopes", "components/dev/workflow-state.yaml", "  - mf\n", "",
            "components/dev/workflow-state.yaml: scopes: '[ofs]' differs from '[mf, ofs]'" },
        { "extra metadata", "components/dev/ig-admission.yaml", "    - name: timeout\n", "    - name: queryExecMode\n      value: exec\n    - name: timeout\n",
            "components/dev/ig-admission.yaml: spec.metadata[queryExecMode].value: not in components/local_parity/ig-admission.yaml" },
        { "undocumented metadata", "components/dev/rtdl-state.yaml", "name: tablePrefix", "name: tablePrefx",
            "components/dev/rtdl-state.yaml: spec.metadata[tablePrefx]: not a documented metadata field of state.postgresql" },
        { "unlimited retries", "components/prod/resiliency.yaml", "maxRetries: 8", "maxRetries: -1",
            "components/prod/resiliency.yaml: spec.policies.retries.delivery.maxRetries: '-1': retries are bounded" },
        { "retries without a bound", "components/dev/resiliency.yaml", "        maxRetries: 3\n      # Calls", "      # Calls",
            "components/dev/resiliency.yaml: spec.policies.retries.secrets.maxRetries: '(absent)': retries are bounded" },
        { "endpoint in prod", "components/prod/eb-traffic-out.yaml", "    - name: region\n", "    - name: endpoint\n      value: http://127.0.0.1:54567\n    - name: region\n",
            "components/prod/eb-traffic-out.yaml: spec.metadata[endpoint].value: only allowed in local_parity" },
        { "plaintext credential in dev", "components/dev/ig-admission.yaml",
            "      secretKeyRef:\n        name: postgres-connection-string\n        key: postgres-connection-string\n",
            "      value: host=db.internal user=ig password=hunter2\n",
            "components/dev/ig-admission.yaml: spec.metadata[connectionString]: a credential comes from the secret store (secretKeyRef)" },
        { "a metadata field named twice", "components/dev/cm-store.yaml", "    - name: timeout\n", "    - name: tablePrefix\n      value: other_\n    - name: timeout\n",
            "components/dev/cm-store.yaml: spec.metadata[tablePrefix]: named twice" },
        { "missing version", "components/dev/mpr-store.yaml", "  version: v2\n", "",
            "components/dev/mpr-store.yaml: spec.version: version must be set explicitly" },
        { "no inbound retry for a Kinesis input binding", "components/local_parity/resiliency.yaml",
            "      eb-rtdl-in-cm:\n        inbound: { timeout: delivery, retry: delivery }\n", "",
            "components/local_parity/resiliency.yaml: spec.targets.components.eb-rtdl-in-cm.inbound.retry: every Kinesis input binding has an inbound retry policy" },
        { "a second actor state store", "components/prod/mpr-store.yaml", "    - name: cleanupInterval\n      value: 1m\n",
            "    - name: cleanupInterval\n      value: 1m\n    - name: actorStateStore\n      value: \"true\"\n",
            "components/prod: actorStateStore: exactly one state store with actorStateStore \"true\" per env, found 2" },
        { "allow by default in prod", "components/prod/config.yaml", "    defaultAction: deny\n    trustDomain", "    defaultAction: allow\n    trustDomain",
            "components/prod/config.yaml: spec.accessControl.defaultAction: must be 'deny' in prod" },
        { "mTLS off in dev", "components/dev/daprsystem.yaml", "enabled: true", "enabled: false",
            "components/dev/daprsystem.yaml: spec.mtls.enabled: must be 'true' in dev" },
        { "a consumer shared between envs' names", "components/prod/eb-traffic-in-ofs.yaml", "value: ofs-traffic-prod", "value: rtdl-traffic-prod",
            "components/prod/eb-traffic-in-ofs.yaml: spec.metadata[consumerName].value: 'rtdl-traffic-prod' does not match" },
        { "a scope that is no app", "components/local_parity/cm-store.yaml", "  - cm\n", "  - cm\n  - case-manager\n",
            "components/local_parity/cm-store.yaml: scopes: 'case-manager' is not an app-id of the parity contract" },
        { "an input binding scoped to two apps", "components/dev/eb-context-in-rtdl.yaml", "scopes:\n  - rtdl\n", "scopes:\n  - rtdl\n  - cm\n",
            "components/dev/eb-context-in-rtdl.yaml: scopes: an eb-<stream>-in-<app> binding is scoped to its one consumer, 'rtdl'" },
    };

    [Theory]
    [MemberData(nameof(Drifts))]
    public void Each_seeded_drift_is_caught_with_file_field_and_rule(string drift, string file, string old, string replacement, string expected)
    {
        _copy.Replace(file, old, replacement);

        var lines = ParityChecker.Check(_copy.Root).Select(v => v.ToString()).ToList();

        Assert.True(lines.Any(l => l.StartsWith(expected, StringComparison.Ordinal)), $"{drift}: expected a line starting with\n  {expected}\ngot:\n  {string.Join("\n  ", lines)}");
    }

    [Fact]
    public void A_missing_component_is_reported_against_the_env_that_lacks_it()
    {
        File.Delete(_copy.PathOf("components/prod/rtdl-state.yaml"));

        var lines = ParityChecker.Check(_copy.Root).Select(v => v.ToString()).ToList();

        Assert.Contains("components/prod/rtdl-state.yaml: (file): missing: components/local_parity/rtdl-state.yaml exists (same file names in every env)", lines);
        // The Resiliency still names it, and that is reported too.
        Assert.Contains(lines, l => l.StartsWith("components/prod/resiliency.yaml: spec.targets.components.rtdl-state: names no component", StringComparison.Ordinal));
    }

    [Fact]
    public void An_env_specific_file_under_schemas_is_refused()
    {
        File.Copy(_copy.PathOf("schemas/event_envelope.v1.schema.json"), _copy.PathOf("schemas/event_envelope.v1.prod.schema.json"));

        var lines = ParityChecker.Check(_copy.Root).Select(v => v.ToString()).ToList();

        Assert.Equal(["schemas/event_envelope.v1.prod.schema.json: (path): schemas are one copy for every env: nothing under schemas/ is named after an env"], lines);
    }

    [Fact]
    public void A_stream_the_ig_policy_routes_to_must_be_published_in_every_env()
    {
        _copy.Replace("schemas/ig_policy/partitioning_profiles.json", "\"stream\": \"fp.bus.context.v1\"", "\"stream\": \"fp.bus.context.v2\"");

        var lines = ParityChecker.Check(_copy.Root).Select(v => v.ToString()).ToList();

        Assert.Equal(
            ["local_parity", "dev", "prod"],
            lines.Where(l => l.Contains("'fp.bus.context.v2'", StringComparison.Ordinal)).Select(l => l.Split('/')[1].Split(':')[0]));
    }

    [Fact]
    public async Task Piped_output_is_one_line_per_violation_and_exit_code_1()
    {
        _copy.Replace("components/prod/cm-store.yaml", "type: state.postgresql", "type: state.postgres");
        _copy.Replace("components/dev/mpr-store.yaml", "  version: v2\n", "");

        var (exitCode, stdout, _) = await InvokeAsync("parity", "check", "--root", _copy.Root);

        Assert.Equal(1, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ParityChecker.Check(_copy.Root).Select(v => v.ToString()), lines);
        Assert.All(lines, line => Assert.Matches(@"^components/(dev|prod)/[a-z-]+\.yaml: [^:]+: .+$", line));
    }

    [Fact]
    public async Task An_unreadable_contract_is_exit_code_2_not_a_pass()
    {
        File.WriteAllText(_copy.PathOf("components/parity-contract.yaml"), "environments: [local_parity]\n");

        var (exitCode, _, stderr) = await InvokeAsync("parity", "check", "--root", _copy.Root);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_dev_and_prod_configuration_and_resiliency_load_under_daprds_rules(string env)
    {
        // The sidecar harness refuses anything daprd would refuse or read differently (accessControl policies need
        // appId, trustDomain and namespace; policy names must resolve), so dev/prod are checked before they deploy.
        var configuration = SidecarConfiguration.Load(Path.Combine(RepoPaths.Components(env), "config.yaml"));
        Assert.Equal("deny", configuration.AccessControl.DefaultAction);

        var documents = ResourceLoader.LoadDirectories([RepoPaths.Components(env)], null);
        foreach (var app in Platform.Substrate.BuildingBlocks.PlatformNames.AppIds.All)
        {
            var policies = ResiliencyLoader.Load(documents, app);
            Assert.All(
                documents.Where(d => d.Kind == "Component" && d.Name.Contains("-in-", StringComparison.Ordinal)),
                binding => Assert.True(policies.ComponentInbound(binding.Name).Retry is { MaxRetries: >= 0 }, $"{env}/{binding.Name}: bounded inbound retry"));
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var root = new RootCommand { ParityCommand.Create() };
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
