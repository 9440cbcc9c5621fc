using Deploy.Tests.Infrastructure;

namespace Deploy.Tests;

/// <summary>
/// The dev and prod overlays rendered with <c>kubectl kustomize</c> keep every rule of <see cref="ManifestRules"/>:
/// one Deployment per app of apps.tsv with its Dapr annotations and app port, probes, non-root read-only pods, images
/// by git SHA (dev) or digest (prod), only ig/cm/mpr exposed, default-deny NetworkPolicies, the namespace the
/// access-control policies name, and deployments consistent with the component scopes.
/// </summary>
public sealed class OverlayTests
{
    private static readonly string[] HotPath = ["ig", "rtdl"];

    public static TheoryData<string> Overlays => new(Repo.Overlays);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_rendered_overlay_keeps_every_rule(string env)
    {
        var resources = Kustomize.Overlay(env);

        Assert.Equal(Repo.Apps.Count, resources.OfKind("Deployment").Count());
        Assert.Empty(ManifestRules.All(resources, env));
    }

    [Fact]
    public void Prod_runs_more_replicas_of_the_hot_path_than_dev()
    {
        int Replicas(string env, string app) =>
            int.Parse(Kustomize.Overlay(env).OfKind("Deployment").Single(d => d.Name() == app).Scalar("spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.All(HotPath, app => Assert.True(Replicas("prod", app) > Replicas("dev", app), app));
        Assert.All(Repo.Apps, app => Assert.True(Replicas("prod", app.AppId) >= 1));
    }
}
