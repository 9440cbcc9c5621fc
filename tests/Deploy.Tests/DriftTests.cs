using Deploy.Tests.Infrastructure;

namespace Deploy.Tests;

/// <summary>
/// Each rule catches its drift: a copy of deploy/k8s is changed the way a careless edit would, rendered with
/// <c>kubectl kustomize</c>, and the violation is reported with the resource it concerns.
/// </summary>
public sealed class DriftTests : IDisposable
{
    private readonly DirectoryInfo _copy = Directory.CreateTempSubdirectory("k8s-drift-");

    public DriftTests() => Copy(new DirectoryInfo(Repo.PathOf("deploy", "k8s")), _copy);

    public void Dispose() => _copy.Delete(recursive: true);

    public static TheoryData<string, string, string, string, string> Drifts => new()
    {
        { "prod", "base/apps/rtdl.yaml", "  type: ClusterIP", "  type: LoadBalancer", "Service/rtdl: type LoadBalancer" },
        { "dev", "base/apps/ig.yaml", "  type: ClusterIP", "  type: NodePort", "Service/ig: type NodePort" },
        { "prod", "base/ingress.yaml", "service: { name: cm, port: { name: http } }", "service: { name: obsgov, port: { name: http } }", "routes / to 'obsgov'" },
        { "prod", "base/ingress.yaml", "path: /v1/governance", "path: /v1", "routes /v1 of mpr" },
        { "dev", "base/network-policies.yaml", "app.kubernetes.io/name: mpr", "app.kubernetes.io/name: ofs", "opens internal app 'ofs' to the ingress controller" },
        { "prod", "base/network-policies.yaml", "port: 50002", "port: 5102", "opens ports [5102] within the namespace" },
        { "prod", "base/network-policies.yaml", "kubernetes.io/metadata.name: dapr-system", "kubernetes.io/metadata.name: default", "admits namespace 'default'" },
        { "dev", "base/network-policies.yaml", "  podSelector: {}\n  policyTypes: [\"Ingress\"]\n---", "  podSelector: {}\n  policyTypes: [\"Egress\"]\n---", "no default-deny policy" },
        { "prod", "overlays/prod/kustomization.yaml", "digest: sha256:0000000000000000000000000000000000000000000000000000000000000000 # RELEASE-STEP: image digest\n  - name: platform/cm", "newTag: v1.2.3\n  - name: platform/cm", "Deployment/rtdl: image" },
        { "dev", "overlays/dev/kustomization.yaml", "newTag: \"0000000000000000000000000000000000000000\" # RELEASE-STEP: git SHA\n  - name: platform/rtdl", "newTag: latest\n  - name: platform/rtdl", "Deployment/ig: image" },
        { "prod", "base/apps/cm.yaml", "dapr.io/app-port: \"5103\"", "dapr.io/app-port: \"8080\"", "Deployment/cm: annotation dapr.io/app-port is '8080', expected '5103'" },
        { "dev", "base/apps/mf.yaml", "dapr.io/app-id: mf", "dapr.io/app-id: model-factory", "Deployment app-id 'model-factory' is not in deploy/local_parity/apps.tsv" },
        { "prod", "base/apps/obsgov.yaml", "        dapr.io/app-token-secret: dapr-app-token\n", string.Empty, "Deployment/obsgov: annotation dapr.io/app-token-secret is '(missing)'" },
        { "prod", "base/apps/ofs.yaml", "dapr.io/config: platform", "dapr.io/config: ofs-config", "annotation dapr.io/config is 'ofs-config'" },
        { "dev", "base/apps/mpr.yaml", "path: /readyz", "path: /healthz", "Deployment/mpr: no readinessProbe on /readyz" },
        { "prod", "base/apps/ig.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "Deployment/ig: no runAsNonRoot" },
        { "dev", "base/apps/cm.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "Deployment/cm: no readOnlyRootFilesystem" },
        { "dev", "base/kustomization.yaml", "  - apps/obsgov.yaml\n", string.Empty, "app 'obsgov' of apps.tsv has no Deployment" },
        { "prod", "overlays/prod/kustomization.yaml", "namespace: platform", "namespace: fraud", "accessControl names namespace 'platform', the overlay deploys to 'fraud'" },
    };

    [Theory]
    [MemberData(nameof(Drifts))]
    public void A_drifted_copy_is_caught(string env, string file, string original, string drifted, string expected)
    {
        var path = Path.Combine(_copy.FullName, file);
        var text = File.ReadAllText(path);
        Assert.Contains(original, text, StringComparison.Ordinal); // the drift must change something real
        File.WriteAllText(path, text.Replace(original, drifted, StringComparison.Ordinal));

        var violations = ManifestRules.All(Kustomize.Render(Path.Combine(_copy.FullName, "overlays", env)), env).ToList();

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    private static void Copy(DirectoryInfo from, DirectoryInfo to)
    {
        foreach (var file in from.EnumerateFiles())
        {
            file.CopyTo(Path.Combine(to.FullName, file.Name));
        }

        foreach (var dir in from.EnumerateDirectories())
        {
            Copy(dir, to.CreateSubdirectory(dir.Name));
        }
    }
}
