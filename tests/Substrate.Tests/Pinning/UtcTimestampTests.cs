using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Pinning;

public class UtcTimestampTests
{
    [Fact]
    public void Formats_UTC_with_exactly_six_fractional_digits()
    {
        var value = new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero).AddTicks(1_234_567);

        Assert.Equal("2026-11-27T21:35:03.123456Z", UtcTimestamp.Format(value));
        Assert.Equal("2026-11-27T21:35:03.000000Z", UtcTimestamp.Format(new DateTimeOffset(2026, 11, 27, 21, 35, 3, TimeSpan.Zero)));
    }

    [Fact]
    public void Converts_offsets_to_UTC()
    {
        var local = new DateTimeOffset(2026, 11, 28, 0, 5, 3, TimeSpan.FromHours(2.5)).AddTicks(10);

        Assert.Equal("2026-11-27T21:35:03.000001Z", UtcTimestamp.Format(local));
    }

    [Fact]
    public void Truncation_makes_a_round_trip_stable()
    {
        var value = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(9_999_999);

        var parsed = UtcTimestamp.Parse(UtcTimestamp.Format(value));

        Assert.Equal(UtcTimestamp.Truncate(value), parsed);
        Assert.Equal(UtcTimestamp.Format(value), UtcTimestamp.Format(parsed));
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Theory]
    [InlineData("2026-11-27T21:35:03Z")]
    [InlineData("2026-11-27T21:35:03.123Z")]
    [InlineData("2026-11-27T21:35:03.1234567Z")]
    [InlineData("2026-11-27T21:35:03.123456+00:00")]
    [InlineData("2026-11-27 21:35:03.123456Z")]
    [InlineData("2026-02-30T21:35:03.123456Z")]
    public void Parses_only_the_contract_format(string text)
    {
        Assert.False(UtcTimestamp.TryParse(text, out _));
        Assert.Throws<FormatException>(() => UtcTimestamp.Parse(text));
    }

    [Fact]
    public void The_json_converter_writes_and_reads_the_contract_format()
    {
        var stamped = new Stamped(new DateTimeOffset(2026, 11, 27, 21, 35, 3, 123, TimeSpan.Zero).AddTicks(4560));

        var json = JsonSerializer.Serialize(stamped);

        Assert.Equal("""{"At":"2026-11-27T21:35:03.123456Z"}""", json);
        Assert.Equal(stamped, JsonSerializer.Deserialize<Stamped>(json));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Stamped>("""{"At":"2026-11-27T21:35:03+01:00"}"""));
    }

    private sealed record Stamped([property: JsonConverter(typeof(UtcTimestampJsonConverter))] DateTimeOffset At);
}
