using System.Globalization;
using System.Text.Json;

namespace DaprHarness.Secrets;

/// <summary>
/// The strings Go's fmt package makes from decoded JSON values, because the local file secret store formats every
/// leaf with <c>fmt.Sprintf("%s", v)</c>: strings pass through, anything else becomes Go's "bad verb" text such as
/// <c>%!s(float64=5)</c> (components-contrib secretstores/local/file/filestore.go visitProperty).
/// </summary>
public static class GoFormat
{
    /// <summary><c>fmt.Sprintf("%s", v)</c> for a value <c>encoding/json</c> decoded into <c>interface{}</c>.</summary>
    public static string PercentS(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "%!s(bool=true)",
        JsonValueKind.False => "%!s(bool=false)",
        JsonValueKind.Null => "%!s(<nil>)",
        JsonValueKind.Number => $"%!s(float64={PercentV(value.GetDouble())})",
        _ => throw new ArgumentException($"{value.ValueKind} is not a JSON leaf", nameof(value)),
    };

    /// <summary>
    /// Go's <c>%v</c> for a float64: the shortest digits that round-trip, in <c>%e</c> form when the decimal
    /// exponent is below -4 or at least 6 (strconv's 'g' with precision -1), e.g. 5 → "5", 1e6 → "1e+06".
    /// </summary>
    public static string PercentV(double value)
    {
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // "R" yields the shortest round-trip digits (as Go's shortest formatting does); only the layout differs.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        var exponent = 0;
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var digits = dot >= 0 ? text.Remove(dot, 1) : text;
        var pointAt = (dot >= 0 ? dot : text.Length) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointAt -= leadingZeros;

        var decimalExponent = pointAt - 1;
        string body;
        if (decimalExponent < -4 || decimalExponent >= 6)
        {
            var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            body = $"{mantissa}e{(decimalExponent < 0 ? '-' : '+')}{Math.Abs(decimalExponent):00}";
        }
        else if (pointAt <= 0)
        {
            body = "0." + new string('0', -pointAt) + digits;
        }
        else if (pointAt >= digits.Length)
        {
            body = digits + new string('0', pointAt - digits.Length);
        }
        else
        {
            body = $"{digits[..pointAt]}.{digits[pointAt..]}";
        }

        return negative ? "-" + body : body;
    }
}
