using System.Globalization;
using System.Xml.Linq;
using Deploy.Tests.Infrastructure;

namespace Deploy.Tests;

/// <summary>
/// Every runnable project under services/ ships a Dockerfile that builds from the repository root, runs as a non-root
/// user and carries its release id and OCI labels; every web service's Dockerfile is the shared template filled in
/// with its folder, app-id and the app port of apps.tsv (also the port its Deployment declares).
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string Template = File.ReadAllText(Repo.PathOf("deploy", "docker", "service.Dockerfile.template"));

    private static IEnumerable<DirectoryInfo> ServiceFolders => new DirectoryInfo(Repo.PathOf("services")).EnumerateDirectories();

    public static TheoryData<string> Dockerfiles => new(ServiceFolders.Where(d => File.Exists(Path.Combine(d.FullName, "Dockerfile"))).Select(d => d.Name));

    [Fact]
    public void Every_service_folder_with_a_program_has_a_dockerfile()
    {
        var runnable = ServiceFolders.Where(d => File.Exists(Path.Combine(d.FullName, "Program.cs"))).ToList();

        Assert.NotEmpty(runnable);
        Assert.All(runnable, d => Assert.True(File.Exists(Path.Combine(d.FullName, "Dockerfile")), $"services/{d.Name} has a Program.cs but no Dockerfile (deploy/docker/new-dockerfile.sh {d.Name} <app-id>)"));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_dockerfile_is_multi_stage_non_root_with_release_id_and_oci_labels(string folder)
    {
        Assert.Empty(Dockerfile.Parse(Repo.PathOf("services", folder, "Dockerfile")).Violations());
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void A_web_service_dockerfile_is_the_template_with_its_app_id_and_port(string folder)
    {
        var project = XDocument.Load(Repo.PathOf("services", folder, $"{folder}.csproj")).Root!;
        var assembly = project.Descendants("AssemblyName").FirstOrDefault()?.Value ?? folder;
        var dockerfile = Dockerfile.Parse(Repo.PathOf("services", folder, "Dockerfile"));
        Assert.Equal($"[\"dotnet\", \"{assembly}.dll\"]", dockerfile.FinalArguments("ENTRYPOINT").Single());
        if (project.Attribute("Sdk")?.Value != "Microsoft.NET.Sdk.Web")
        {
            return; // a tool (platformctl): no app port, no Deployment
        }

        var appId = dockerfile.Labels["org.opencontainers.image.title"];
        var app = Repo.App(appId);
        Assert.True(app.Folder == "-" || app.Folder == folder, $"apps.tsv maps {appId} to services/{app.Folder}, the Dockerfile of services/{folder} says {appId}");
        var expected = Template
            .Replace("@SERVICE@", folder, StringComparison.Ordinal)
            .Replace("@APP_ID@", appId, StringComparison.Ordinal)
            .Replace("@APP_PORT@", app.AppPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(expected, File.ReadAllText(Repo.PathOf("services", folder, "Dockerfile")));
        Assert.Equal(app.AppPort.ToString(CultureInfo.InvariantCulture), dockerfile.Env["ASPNETCORE_HTTP_PORTS"]);
    }

    [Fact]
    public void The_template_itself_keeps_the_rules()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dockerfile-").FullName, "Dockerfile");
        File.WriteAllText(path, Template.Replace("@SERVICE@", "X", StringComparison.Ordinal).Replace("@APP_ID@", "x", StringComparison.Ordinal).Replace("@APP_PORT@", "1", StringComparison.Ordinal));

        Assert.Empty(Dockerfile.Parse(path).Violations());
    }

    [Theory]
    [InlineData("USER 1654:1654", "USER root", "runs as root")]
    [InlineData("USER 1654:1654", "USER app", "is not numeric")]
    [InlineData("ARG SERVICE_RELEASE_ID\nARG SOURCE_URL", "ARG SOURCE_URL", "no ARG SERVICE_RELEASE_ID")]
    [InlineData("ENV SERVICE_RELEASE_ID=${SERVICE_RELEASE_ID} \\", "ENV \\", "not baked as ENV")]
    [InlineData("org.opencontainers.image.source=", "org.opencontainers.image.origin=", "org.opencontainers.image.source is missing")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build", "FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS build", "not multi-stage")]
    public void A_drifted_dockerfile_is_caught(string original, string drifted, string expected)
    {
        var text = File.ReadAllText(Repo.PathOf("services", "IngestionGate", "Dockerfile"));
        Assert.Contains(original, text, StringComparison.Ordinal);
        var path = Path.Combine(Directory.CreateTempSubdirectory("dockerfile-").FullName, "Dockerfile");
        File.WriteAllText(path, text.Replace(original, drifted, StringComparison.Ordinal));

        Assert.Contains(Dockerfile.Parse(path).Violations(), v => v.Contains(expected, StringComparison.Ordinal));
    }
}
