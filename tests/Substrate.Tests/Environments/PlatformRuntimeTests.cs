using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;

namespace Platform.Substrate.Tests.Environments;

public class PlatformRuntimeTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static Func<string, string?> Variables(string? environment, string? release) =>
        name => name switch
        {
            "PLATFORM_ENV" => environment,
            "SERVICE_RELEASE_ID" => release,
            _ => null,
        };

    [Fact]
    public void Reads_environment_and_release_once_into_one_record()
    {
        var runtime = PlatformRuntime.FromEnvironment("ig", Variables("prod", Digest));

        Assert.Equal("ig", runtime.ServiceName);
        Assert.Equal(PlatformEnvironment.Prod, runtime.Environment);
        Assert.Equal(Digest, runtime.Release.Id);
        Assert.Null(runtime.PolicyRev);
    }

    [Fact]
    public void Provenance_comes_from_the_runtime()
    {
        var policyRev = new PolicyRev("ig_policy", "r1", new string('a', 64));
        var runtime = PlatformRuntime.FromEnvironment("ig", Variables("dev", "0a1b2c3d")) with { PolicyRev = policyRev };

        var provenance = runtime.ProvenanceFor(new string('b', 64));

        Assert.Equal(new Provenance("0a1b2c3d", PlatformEnvironment.Dev, policyRev.ContentDigest, new string('b', 64)), provenance);
        Assert.Null((runtime with { PolicyRev = null }).ProvenanceFor(null).ConfigRevision);
    }

    [Fact]
    public void Provenance_refuses_a_run_config_digest_that_is_not_a_digest()
    {
        var runtime = PlatformRuntime.FromEnvironment("ig", Variables("dev", Digest));

        Assert.Throws<ArgumentException>(() => runtime.ProvenanceFor("latest"));
    }

    [Theory]
    [InlineData(null, Digest, "PLATFORM_ENV")]
    [InlineData("staging", Digest, "PLATFORM_ENV")]
    [InlineData("dev", null, "SERVICE_RELEASE_ID")]
    [InlineData("prod", "not a release!", "SERVICE_RELEASE_ID")]
    public void Refuses_to_start_on_a_missing_or_invalid_variable(string? environment, string? release, string named)
    {
        var exception = Assert.Throws<PlatformStartupException>(() => PlatformRuntime.FromEnvironment("ig", Variables(environment, release)));

        Assert.Contains(named, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("IG")]
    [InlineData("")]
    [InlineData("ig service")]
    [InlineData("-ig")]
    public void Refuses_a_service_name_that_is_not_kebab_case(string serviceName)
    {
        Assert.Throws<PlatformStartupException>(() => PlatformRuntime.FromEnvironment(serviceName, Variables("dev", Digest)));
    }

    [Fact]
    public void AddPlatformRuntime_fails_fast_at_registration()
    {
        var services = new ServiceCollection();

        Assert.Throws<PlatformStartupException>(() => services.AddPlatformRuntime("ig", Variables("prod", null)));
        Assert.Empty(services);
    }

    [Fact]
    public void AddPlatformRuntime_registers_the_runtime_and_its_startup_log_once()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPlatformRuntime("mpr", Variables("local_parity", "abcdef0"));

        using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<PlatformRuntime>();
        Assert.Equal("mpr", runtime.ServiceName);
        Assert.Equal(ReleaseIdKind.GitSha, runtime.Release.Kind);
        Assert.Single(provider.GetServices<IHostedService>());
        Assert.Throws<InvalidOperationException>(() => services.AddPlatformRuntime(runtime));
    }
}
