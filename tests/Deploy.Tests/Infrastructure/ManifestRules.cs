using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Infrastructure;

/// <summary>
/// The rules a rendered overlay must keep, each returning one line per violation (<c>kind/name: what is wrong</c>),
/// so the tests can show both that the real overlays pass and that a drifted copy is caught.
/// </summary>
internal static partial class ManifestRules
{
    public const string IngressNamespace = "ingress-nginx";
    public const string DaprNamespace = "dapr-system";
    public const string SidecarPort = "50002";

    private static readonly string[] SidecarResources = ["cpu-request", "cpu-limit", "memory-request", "memory-limit"];
    private static readonly string[] ResourceKinds = ["requests", "limits"];

    /// <summary>Every rule for the overlay of <paramref name="env"/>.</summary>
    public static IEnumerable<string> All(IReadOnlyList<YamlMappingNode> resources, string env) =>
        Apps(resources, env)
            .Concat(Dapr(resources, env))
            .Concat(Pods(resources))
            .Concat(Images(resources, env))
            .Concat(Exposure(resources))
            .Concat(NetworkPolicies(resources))
            .Concat(Namespace(resources, env))
            .Concat(Scopes(resources, env));

    public static IEnumerable<YamlMappingNode> OfKind(this IEnumerable<YamlMappingNode> resources, string kind) => resources.Where(r => r.Kind() == kind);

    /// <summary>One Deployment per app of apps.tsv (and of the parity contract), named after its app-id.</summary>
    public static IEnumerable<string> Apps(IReadOnlyList<YamlMappingNode> resources, string env)
    {
        var deployed = resources.OfKind("Deployment").Select(d => Annotations(d).GetValueOrDefault("dapr.io/app-id") ?? $"(no app-id on {d.Name()})").ToList();
        foreach (var missing in Repo.Apps.Select(a => a.AppId).Union(Repo.ContractApps).Except(deployed))
        {
            yield return $"{env}: app '{missing}' of apps.tsv has no Deployment";
        }

        foreach (var extra in deployed.Except(Repo.Apps.Select(a => a.AppId)))
        {
            yield return $"{env}: Deployment app-id '{extra}' is not in deploy/local_parity/apps.tsv";
        }

        foreach (var d in resources.OfKind("Deployment").Where(d => Annotations(d).GetValueOrDefault("dapr.io/app-id") != d.Name()))
        {
            yield return $"Deployment/{d.Name()}: named differently from its dapr.io/app-id";
        }
    }

    /// <summary>The sidecar annotations, with the app port of apps.tsv and the env's Configuration name.</summary>
    public static IEnumerable<string> Dapr(IReadOnlyList<YamlMappingNode> resources, string env)
    {
        var configuration = Repo.Configuration(env).Name();
        foreach (var d in resources.OfKind("Deployment"))
        {
            var a = Annotations(d);
            var app = Repo.Apps.FirstOrDefault(r => r.AppId == a.GetValueOrDefault("dapr.io/app-id"));
            var port = app?.AppPort.ToString(CultureInfo.InvariantCulture);
            var expected = new Dictionary<string, string?>
            {
                ["dapr.io/enabled"] = "true",
                ["dapr.io/app-port"] = port,
                ["dapr.io/app-protocol"] = "http",
                ["dapr.io/config"] = configuration,
                ["dapr.io/api-token-secret"] = "dapr-api-token",
                ["dapr.io/app-token-secret"] = "dapr-app-token",
                ["dapr.io/log-as-json"] = "true",
                ["dapr.io/disable-builtin-k8s-secret-store"] = "true",
            };
            foreach (var (key, value) in expected.Where(e => a.GetValueOrDefault(e.Key) != e.Value))
            {
                yield return $"Deployment/{d.Name()}: annotation {key} is '{a.GetValueOrDefault(key) ?? "(missing)"}', expected '{value}'";
            }

            foreach (var resource in SidecarResources.Where(r => string.IsNullOrEmpty(a.GetValueOrDefault($"dapr.io/sidecar-{r}"))))
            {
                yield return $"Deployment/{d.Name()}: annotation dapr.io/sidecar-{resource} is missing";
            }

            var ports = Container(d)?.Items("ports").Select(p => p.Scalar("containerPort")).ToList() ?? [];
            if (ports.Count != 1 || ports[0] != port)
            {
                yield return $"Deployment/{d.Name()}: containerPort {string.Join(",", ports)} is not the app port {port}";
            }
        }
    }

    /// <summary>Probes, resources, tokens from secrets, non-root and a read-only root filesystem.</summary>
    public static IEnumerable<string> Pods(IReadOnlyList<YamlMappingNode> resources)
    {
        foreach (var d in resources.OfKind("Deployment"))
        {
            var where = $"Deployment/{d.Name()}";
            var pod = d.Node("spec", "template", "spec")!;
            if (pod.Items("containers").Count() != 1 || Container(d) is not { } c)
            {
                yield return $"{where}: expected exactly one app container (Dapr injects the sidecar)";
                continue;
            }

            var checks = new (string What, bool Ok)[]
            {
                ("livenessProbe on /healthz at the app port", c.Scalar("livenessProbe", "httpGet", "path") == "/healthz" && c.Scalar("livenessProbe", "httpGet", "port") == "app"),
                ("readinessProbe on /readyz at the app port", c.Scalar("readinessProbe", "httpGet", "path") == "/readyz" && c.Scalar("readinessProbe", "httpGet", "port") == "app"),
                ("resource requests and limits", ResourceKinds.All(k => c.Scalar("resources", k, "cpu") is not null && c.Scalar("resources", k, "memory") is not null)),
                ("runAsNonRoot with a non-zero runAsUser", pod.Scalar("securityContext", "runAsNonRoot") == "true" && pod.Scalar("securityContext", "runAsUser") is { } uid && uid != "0"),
                ("seccompProfile RuntimeDefault", pod.Scalar("securityContext", "seccompProfile", "type") == "RuntimeDefault"),
                ("readOnlyRootFilesystem", c.Scalar("securityContext", "readOnlyRootFilesystem") == "true"),
                ("allowPrivilegeEscalation false", c.Scalar("securityContext", "allowPrivilegeEscalation") == "false"),
                ("all capabilities dropped", c.Items("securityContext", "capabilities", "drop").Select(n => ((YamlScalarNode)n).Value).SequenceEqual(["ALL"])),
                ("its own ServiceAccount", pod.Scalar("serviceAccountName") == d.Name()),
                ("DAPR_API_TOKEN from secret dapr-api-token", SecretEnv(c, "DAPR_API_TOKEN", "dapr-api-token")),
                ("APP_API_TOKEN from secret dapr-app-token", SecretEnv(c, "APP_API_TOKEN", "dapr-app-token")),
            };
            foreach (var (what, _) in checks.Where(check => !check.Ok))
            {
                yield return $"{where}: no {what}";
            }
        }
    }

    /// <summary>prod: images by digest; dev: tagged by a git SHA; both named after the app.</summary>
    public static IEnumerable<string> Images(IReadOnlyList<YamlMappingNode> resources, string env)
    {
        var reference = env == "prod" ? "@sha256:[0-9a-f]{64}" : ":[0-9a-f]{40}";
        foreach (var d in resources.OfKind("Deployment"))
        {
            var image = Container(d)?.Scalar("image") ?? string.Empty;
            if (!Regex.IsMatch(image, $"^[a-z0-9.-]+(:[0-9]+)?/platform/{Regex.Escape(d.Name())}{reference}$", RegexOptions.CultureInvariant))
            {
                yield return $"Deployment/{d.Name()}: image '{image}' is not <registry>/platform/{d.Name()}{(env == "prod" ? "@sha256:<digest>" : ":<git sha>")}";
            }
        }
    }

    /// <summary>No Service reachable from outside the cluster; the Ingress routes to ig, cm and mpr's governance endpoints only.</summary>
    public static IEnumerable<string> Exposure(IReadOnlyList<YamlMappingNode> resources)
    {
        foreach (var s in resources.OfKind("Service"))
        {
            if ((s.Scalar("spec", "type") ?? "ClusterIP") != "ClusterIP" || s.Items("spec", "externalIPs").Any())
            {
                yield return $"Service/{s.Name()}: type {s.Scalar("spec", "type")} exposes it outside the cluster; only the Ingress may";
            }
        }

        var routes = new List<(string Ingress, string Service, string Path)>();
        foreach (var i in resources.OfKind("Ingress"))
        {
            if (i.Node("spec", "defaultBackend") is not null)
            {
                yield return $"Ingress/{i.Name()}: a defaultBackend exposes everything unmatched";
            }

            routes.AddRange(i.Items("spec", "rules").SelectMany(rule => rule.Items("http", "paths"))
                .Select(p => (i.Name(), p.Scalar("backend", "service", "name") ?? "(none)", p.Scalar("path") ?? "/")));
        }

        foreach (var r in routes.Where(r => !Repo.PublicApps.Contains(r.Service)))
        {
            yield return $"Ingress/{r.Ingress}: routes {r.Path} to '{r.Service}', which is not public (only {string.Join(", ", Repo.PublicApps)})";
        }

        foreach (var r in routes.Where(r => r.Service == "mpr" && !r.Path.StartsWith("/v1/governance", StringComparison.Ordinal)))
        {
            yield return $"Ingress/{r.Ingress}: routes {r.Path} of mpr; only its governance endpoints (/v1/governance) are public";
        }

        foreach (var app in Repo.PublicApps.Except(routes.Select(r => r.Service)))
        {
            yield return $"Ingress: public app '{app}' has no route";
        }
    }

    /// <summary>
    /// Default deny; the ingress controller reaches exactly the public apps on their app ports; inside the namespace
    /// only the sidecar port; the Dapr control plane reaches every app; no other source.
    /// </summary>
    public static IEnumerable<string> NetworkPolicies(IReadOnlyList<YamlMappingNode> resources)
    {
        var policies = resources.OfKind("NetworkPolicy").ToList();
        var deployments = resources.OfKind("Deployment").ToList();
        if (!policies.Any(p => p.Node("spec", "podSelector") is YamlMappingNode { Children.Count: 0 }
                && p.Items("spec", "policyTypes").Any(t => ((YamlScalarNode)t).Value == "Ingress") && !p.Items("spec", "ingress").Any()))
        {
            yield return "NetworkPolicy: no default-deny policy (empty podSelector, policyTypes Ingress, no rules)";
        }

        var fromIngress = new List<string>();
        var fromDapr = new List<string>();
        foreach (var policy in policies)
        {
            var where = $"NetworkPolicy/{policy.Name()}";
            var selected = Selected(policy, deployments).ToList();
            foreach (var rule in policy.Items("spec", "ingress"))
            {
                var sources = rule.Items("from").ToList();
                var ports = rule.Items("ports").Select(p => p.Scalar("port")).ToList();
                if (sources.Count == 0)
                {
                    yield return $"{where}: a rule without 'from' admits every source";
                }

                foreach (var source in sources)
                {
                    var ns = source.Scalar("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name");
                    if (source.Node("ipBlock") is not null)
                    {
                        yield return $"{where}: admits an ipBlock";
                    }
                    else if (source.Node("namespaceSelector") is not null && ns == IngressNamespace)
                    {
                        foreach (var app in selected)
                        {
                            var port = Repo.Apps.FirstOrDefault(a => a.AppId == app)?.AppPort.ToString(CultureInfo.InvariantCulture);
                            if (!Repo.PublicApps.Contains(app))
                            {
                                yield return $"{where}: opens internal app '{app}' to the ingress controller";
                            }
                            else if (ports.Count != 1 || ports[0] != port)
                            {
                                yield return $"{where}: opens ports [{string.Join(",", ports)}] of '{app}' to the ingress controller, not just its app port {port}";
                            }
                        }

                        fromIngress.AddRange(selected);
                    }
                    else if (source.Node("namespaceSelector") is not null && ns == DaprNamespace)
                    {
                        fromDapr.AddRange(selected);
                    }
                    else if (source.Node("namespaceSelector") is not null)
                    {
                        yield return $"{where}: admits namespace '{ns ?? "(any)"}'";
                    }
                    else if (ports.Count != 1 || ports[0] != SidecarPort)
                    {
                        yield return $"{where}: opens ports [{string.Join(",", ports)}] within the namespace; only Dapr's sidecar port {SidecarPort}";
                    }
                }
            }
        }

        foreach (var app in Repo.PublicApps.Except(fromIngress))
        {
            yield return $"NetworkPolicy: public app '{app}' is not reachable from the ingress controller";
        }

        foreach (var app in deployments.Select(d => d.Name()).Except(fromDapr))
        {
            yield return $"NetworkPolicy: the Dapr control plane ({DaprNamespace}) cannot reach '{app}'";
        }
    }

    /// <summary>One namespace: the one the env's accessControl policies name; PLATFORM_ENV = env; no Secret in the output.</summary>
    public static IEnumerable<string> Namespace(IReadOnlyList<YamlMappingNode> resources, string env)
    {
        var namespaces = resources.OfKind("Namespace").Select(n => n.Name()).ToList();
        if (namespaces.Count != 1)
        {
            yield return $"{env}: expected one Namespace, found [{string.Join(",", namespaces)}]";
            yield break;
        }

        foreach (var policyNamespace in Repo.Configuration(env).Items("spec", "accessControl", "policies").Select(p => p.Scalar("namespace")).Distinct())
        {
            if (policyNamespace != namespaces[0])
            {
                yield return $"components/{env}/config.yaml: accessControl names namespace '{policyNamespace}', the overlay deploys to '{namespaces[0]}'";
            }
        }

        foreach (var r in resources.Where(r => r.Kind() != "Namespace" && r.Scalar("metadata", "namespace") != namespaces[0]))
        {
            yield return $"{r.Kind()}/{r.Name()}: not in namespace {namespaces[0]}";
        }

        if (resources.OfKind("ConfigMap").FirstOrDefault(c => c.Name() == "platform-env")?.Scalar("data", "PLATFORM_ENV") != env)
        {
            yield return $"ConfigMap/platform-env: PLATFORM_ENV is not {env}";
        }

        foreach (var s in resources.OfKind("Secret"))
        {
            yield return $"Secret/{s.Name()}: secrets never come from the repository";
        }
    }

    /// <summary>Every app-id a component scopes is deployed (or an operator tool); every deployed app is in some scope.</summary>
    public static IEnumerable<string> Scopes(IReadOnlyList<YamlMappingNode> resources, string env)
    {
        var deployed = resources.OfKind("Deployment").Select(d => d.Name()).ToHashSet(StringComparer.Ordinal);
        foreach (var environment in new[] { "local_parity", env })
        {
            var scoped = Repo.Components(environment).SelectMany(c => c.Scopes.Select(app => (c.Name, App: app))).ToList();
            foreach (var (component, app) in scoped.Where(s => !deployed.Contains(s.App) && !Repo.OperatorAppIds.Contains(s.App)))
            {
                yield return $"components/{environment}/{component}: scopes '{app}', which is neither a Deployment nor an operator tool";
            }

            foreach (var app in deployed.Where(app => !scoped.Any(s => s.App == app)))
            {
                yield return $"Deployment/{app}: in no component's scopes of components/{environment}";
            }
        }
    }

    private static IReadOnlyDictionary<string, string> Annotations(YamlNode deployment) => deployment.Map("spec", "template", "metadata", "annotations");

    private static YamlNode? Container(YamlNode deployment) => deployment.Items("spec", "template", "spec", "containers").FirstOrDefault();

    private static bool SecretEnv(YamlNode container, string name, string secret)
    {
        var variable = container.Items("env").FirstOrDefault(e => e.Scalar("name") == name);
        return variable is not null && variable.Scalar("value") is null
            && variable.Scalar("valueFrom", "secretKeyRef", "name") == secret && variable.Scalar("valueFrom", "secretKeyRef", "key") == "token";
    }

    /// <summary>The Deployments whose pod labels match a policy's podSelector (matchLabels; an empty selector matches all).</summary>
    private static IEnumerable<string> Selected(YamlNode policy, IEnumerable<YamlMappingNode> deployments)
    {
        var selector = policy.Map("spec", "podSelector", "matchLabels");
        return deployments
            .Where(d => selector.All(kv => d.Map("spec", "template", "metadata", "labels").GetValueOrDefault(kv.Key) == kv.Value))
            .Select(d => d.Name());
    }
}
