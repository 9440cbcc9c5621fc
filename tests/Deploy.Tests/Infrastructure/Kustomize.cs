using System.Collections.Concurrent;
using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Infrastructure;

/// <summary>
/// Renders a kustomization offline with <c>kubectl kustomize</c> (kustomize is built into kubectl). A missing kubectl
/// fails the test with what to install: the rendered manifests are what these tests are about, so they never skip.
/// </summary>
internal static class Kustomize
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<YamlMappingNode>>> Rendered = new(StringComparer.Ordinal);

    public static IReadOnlyList<YamlMappingNode> Overlay(string environment) =>
        Rendered.GetOrAdd(environment, env => new(() => Render(Repo.PathOf("deploy", "k8s", "overlays", env)))).Value;

    public static IReadOnlyList<YamlMappingNode> Render(string directory)
    {
        var kubectl = FindKubectl();
        using var process = Process.Start(new ProcessStartInfo(kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {kubectl}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {directory} did not finish in 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {stderr.Result}");
        }

        using var reader = new StringReader(stdout.Result);
        return Yaml.LoadAll(reader);
    }

    private static string FindKubectl()
    {
        if (Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } configured)
        {
            return configured;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl"))
            .FirstOrDefault(File.Exists);
        return onPath ?? (File.Exists("/usr/bin/kubectl")
            ? "/usr/bin/kubectl"
            : throw new InvalidOperationException(
                "kubectl not found (PATH, /usr/bin/kubectl or $KUBECTL): the deployment tests render deploy/k8s/overlays/* with `kubectl kustomize`; "
                + "install kubectl (kustomize v5 is built in), e.g. apt-get install kubectl, and run the tests again"));
    }
}
