using Platform.Substrate.Errors;

namespace Platform.Substrate.Tests.Identity;

public sealed class IdentityStartupTests
{
    [Fact]
    public void Without_an_environment_no_scheme_is_configured_and_the_app_refuses_to_start()
    {
        var ex = Assert.Throws<PlatformStartupException>(() => IdentityTestHost.CreateBuilder(new Dictionary<string, string?>(), new FakeSecrets()));

        Assert.Contains("PLATFORM_ENV", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_environment_refuses_to_start()
    {
        Assert.Throws<PlatformStartupException>(() => IdentityTestHost.CreateBuilder(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = "staging", ["APP_API_TOKEN"] = "t" }, new FakeSecrets()));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Dev_and_prod_refuse_to_start_without_the_app_api_token(string environment)
    {
        var ex = Assert.Throws<PlatformStartupException>(() => IdentityTestHost.CreateBuilder(
            new Dictionary<string, string?> { ["PLATFORM_ENV"] = environment }, new FakeSecrets()));

        Assert.Contains("APP_API_TOKEN", ex.Message, StringComparison.Ordinal);
    }
}
