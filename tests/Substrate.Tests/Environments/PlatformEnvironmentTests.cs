using System.Text.Json;
using Platform.Substrate.Environments;
using Platform.Substrate.Errors;

namespace Platform.Substrate.Tests.Environments;

public class PlatformEnvironmentTests
{
    [Theory]
    [InlineData("local_parity", PlatformEnvironment.LocalParity)]
    [InlineData("dev", PlatformEnvironment.Dev)]
    [InlineData("prod", PlatformEnvironment.Prod)]
    public void Parses_each_wire_name_and_names_it_back(string wireName, PlatformEnvironment expected)
    {
        var environment = PlatformEnvironments.Parse(wireName);

        Assert.Equal(expected, environment);
        Assert.Equal(wireName, environment.ToWireName());
        Assert.Equal($"\"{wireName}\"", JsonSerializer.Serialize(environment));
        Assert.Equal(expected, JsonSerializer.Deserialize<PlatformEnvironment>($"\"{wireName}\""));
    }

    [Theory]
    [InlineData("production")]
    [InlineData("Dev")]
    [InlineData("PROD")]
    [InlineData(" dev")]
    [InlineData("local")]
    [InlineData("1")]
    public void Refuses_anything_else_and_lists_the_allowed_values(string value)
    {
        var exception = Assert.Throws<PlatformStartupException>(() => PlatformEnvironments.Parse(value));

        Assert.Contains("PLATFORM_ENV", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("local_parity, dev, prod", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Refuses_an_unset_variable(string? value)
    {
        var exception = Assert.Throws<PlatformStartupException>(
            () => PlatformEnvironments.FromEnvironment(name => name == PlatformEnvironments.VariableName ? value : "dev"));

        Assert.Contains("PLATFORM_ENV is not set", exception.Message, StringComparison.Ordinal);
        Assert.Contains("local_parity, dev, prod", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_PLATFORM_ENV_variable()
    {
        var environment = PlatformEnvironments.FromEnvironment(name => name == "PLATFORM_ENV" ? "prod" : null);

        Assert.Equal(PlatformEnvironment.Prod, environment);
    }

    [Fact]
    public void The_default_value_is_not_an_environment()
    {
        Assert.False(Enum.IsDefined(default(PlatformEnvironment)));
        Assert.Throws<ArgumentOutOfRangeException>(() => default(PlatformEnvironment).ToWireName());
    }

    [Fact]
    public void Json_refuses_unknown_names_and_numbers()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PlatformEnvironment>("\"staging\""));
    }
}
