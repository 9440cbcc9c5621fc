using System.Globalization;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.Tests.Pinning;

public class NumberFormatTests
{
    [Theory]
    [InlineData(1e30, "1e+30")]
    [InlineData(4.50, "4.5")]
    [InlineData(2e-3, "0.002")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(333333333.33333329, "333333333.3333333")]
    [InlineData(0.0, "0")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(999999999999999900000.0, "999999999999999900000")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(-9007199254740992.0, "-9007199254740992")]
    [InlineData(123e-20, "1.23e-18")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(100.0, "100")]
    [InlineData(0.1, "0.1")]
    [InlineData(-1.25, "-1.25")]
    public void Prints_numbers_as_ECMAScript_does(double value, string expected)
    {
        Assert.Equal(expected, CanonicalJson.FormatNumber(value));
    }

    [Fact]
    public void Prints_negative_zero_as_zero()
    {
        Assert.True(double.IsNegative(-0.0));
        Assert.Equal("0", CanonicalJson.FormatNumber(-0.0));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Refuses_NaN_and_infinities(double value)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.FormatNumber(value));
    }

    [Fact]
    public void Matches_the_ECMAScript_vectors_for_every_bit_pattern_in_the_file()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Pinning", "TestData", "es6-numbers.csv");
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var comma = line.IndexOf(',', StringComparison.Ordinal);
            var value = BitConverter.Int64BitsToDouble(long.Parse(line.AsSpan(0, comma), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var expected = line[(comma + 1)..];
            var actual = CanonicalJson.FormatNumber(value);
            if (actual != expected || double.Parse(actual, CultureInfo.InvariantCulture) != value)
            {
                failures.Add($"{line[..comma]}: expected {expected}, got {actual}");
            }

            checkedCount++;
        }

        Assert.True(checkedCount > 4000, $"Only {checkedCount} vectors were read from {path}.");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }
}
