using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Pinning;

public class PlatformRunIdTests
{
    [Fact]
    public void Mints_the_run_id_from_the_start_time_in_UTC()
    {
        var started = new DateTimeOffset(2026, 11, 27, 22, 35, 3, TimeSpan.FromHours(1)).AddMilliseconds(900);

        var runId = PlatformRunId.Mint(started);

        Assert.Equal("platform_20261127T213503Z", runId);
        Assert.True(PlatformRunId.IsValid(runId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("platform_20261127T213503")]
    [InlineData("platform_20261127213503Z")]
    [InlineData("platform_20261327T213503Z")]
    [InlineData("Platform_20261127T213503Z")]
    [InlineData("platform_20261127T213503Z/../x")]
    [InlineData("run_20261127T213503Z")]
    public void Refuses_anything_but_the_exact_form(string? value)
    {
        Assert.False(PlatformRunId.IsValid(value));
    }
}
