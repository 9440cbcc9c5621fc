using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Pinning;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by the UTF-16 code units of their names,
/// no whitespace, numbers as ECMAScript prints IEEE-754 doubles, strings with only the mandatory escapes, UTF-8.
/// The input must be I-JSON: duplicate member names, lone surrogates and numbers beyond the double range are refused.
/// </summary>
/// <remarks>
/// JCS treats every number as a double, so integers beyond 2^53 lose precision exactly as they would in JavaScript;
/// contracts carry such values as strings. Lone surrogates are refused in JSON text; in CLR strings given to
/// <see cref="Serialize{T}"/>, System.Text.Json has already replaced them with U+FFFD.
/// </remarks>
public static class CanonicalJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical UTF-8 bytes of <paramref name="element"/>.</summary>
    public static byte[] Serialize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(element, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The canonical UTF-8 bytes of <paramref name="value"/> (a record, a <c>JsonNode</c>, anything serializable),
    /// serialized with <see cref="PlatformJson.Options"/> unless <paramref name="options"/> is given.
    /// </summary>
    public static byte[] Serialize<T>(T value, JsonSerializerOptions? options = null) =>
        Serialize(JsonSerializer.SerializeToElement(value, options ?? PlatformJson.Options));

    /// <summary>Parses UTF-8 JSON text (strict RFC 8259: no comments, no trailing commas) and canonicalizes it.</summary>
    public static byte[] Canonicalize(ReadOnlyMemory<byte> utf8Json)
    {
        using var document = Parse(utf8Json);
        return Serialize(document.RootElement);
    }

    /// <summary>Parses strict JSON or throws <see cref="CanonicalJsonException"/>.</summary>
    internal static JsonDocument Parse(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            return JsonDocument.Parse(utf8Json);
        }
        catch (JsonException exception)
        {
            throw new CanonicalJsonException($"Not valid JSON: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// ECMAScript <c>Number::toString</c> for a finite double: the shortest digits that round-trip, written in plain
    /// notation for exponents 1e-7 &lt; |x| &lt; 1e21 and as <c>d.ddde±n</c> otherwise; -0 prints as 0.
    /// </summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new CanonicalJsonException($"{value.ToString(CultureInfo.InvariantCulture)} is not a JSON number (JCS refuses NaN and Infinity).");
        }

        if (value == 0)
        {
            return "0";
        }

        var (digits, pointPosition) = ShortestDigits(Math.Abs(value));
        var k = digits.Length;
        var n = pointPosition;
        var result = new StringBuilder(k + 8);
        if (value < 0)
        {
            result.Append('-');
        }

        if (k <= n && n <= 21)
        {
            // Integer: the digits then n-k zeros.
            result.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var exponent = n - 1;
            result.Append(digits[0]);
            if (k > 1)
            {
                result.Append('.').Append(digits, 1, k - 1);
            }

            result.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    /// <summary>
    /// The shortest round-trip decimal digits of a positive finite double (no leading or trailing zeros) and the
    /// position n of the decimal point: value = 0.digits × 10^n. .NET's "R" format yields exactly these digits
    /// (shortest, correctly rounded) but lays them out differently from ECMAScript, so only the digits are reused.
    /// </summary>
    private static (string Digits, int PointPosition) ShortestDigits(double positive)
    {
        var text = positive.ToString("R", CultureInfo.InvariantCulture);
        var exponentIndex = text.IndexOfAny(['E', 'e']);
        var exponent = exponentIndex < 0 ? 0 : int.Parse(text.AsSpan(exponentIndex + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentIndex < 0 ? text : text[..exponentIndex];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = dot < 0 ? mantissa.Length : dot;
        var allDigits = dot < 0 ? mantissa : string.Concat(mantissa.AsSpan(0, dot), mantissa.AsSpan(dot + 1));

        var leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length;
        var digits = allDigits.Trim('0');
        return (digits, integerDigits + exponent - leadingZeros);
    }

    private static void Write(JsonElement element, ArrayBufferWriter<byte> output)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(element, output);
                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        output.Write(","u8);
                    }

                    first = false;
                    Write(item, output);
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                WriteString(ReadString(element), output);
                break;
            case JsonValueKind.Number:
                WriteAscii(FormatNumber(ReadNumber(element)), output);
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new CanonicalJsonException($"Unexpected JSON value kind {element.ValueKind}.");
        }
    }

    private static void WriteObject(JsonElement element, ArrayBufferWriter<byte> output)
    {
        var members = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in element.EnumerateObject())
        {
            members.Add(new(ReadName(property), property.Value));
        }

        // Ordinal order of .NET strings is the order of their UTF-16 code units, which is what JCS sorts by.
        members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        output.Write("{"u8);
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(members[i - 1].Key, members[i].Key, StringComparison.Ordinal))
                {
                    throw new CanonicalJsonException($"Duplicate member name '{members[i].Key}' (I-JSON requires unique names).");
                }

                output.Write(","u8);
            }

            WriteString(members[i].Key, output);
            output.Write(":"u8);
            Write(members[i].Value, output);
        }

        output.Write("}"u8);
    }

    private static double ReadNumber(JsonElement element)
    {
        // System.Text.Json has already checked the grammar; double parsing is correctly rounded (IEEE-754).
        var value = double.Parse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value)
            ? value
            : throw new CanonicalJsonException($"The number {element.GetRawText()} is outside the IEEE-754 double range.");
    }

    private static string ReadString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw new CanonicalJsonException("A string is not valid Unicode (lone surrogate).", exception);
        }
    }

    private static string ReadName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException exception)
        {
            throw new CanonicalJsonException("A member name is not valid Unicode (lone surrogate).", exception);
        }
    }

    private static void WriteString(string value, ArrayBufferWriter<byte> output)
    {
        output.Write("\""u8);
        var runStart = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var escape = value[i] switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\t' => "\\t",
                '\n' => "\\n",
                '\f' => "\\f",
                '\r' => "\\r",
                < ' ' => $"\\u{(int)value[i]:x4}",
                _ => null,
            };
            if (escape is not null)
            {
                WriteUtf8(value.AsSpan(runStart, i - runStart), output);
                WriteAscii(escape, output);
                runStart = i + 1;
            }
        }

        WriteUtf8(value.AsSpan(runStart), output);
        output.Write("\""u8);
    }

    private static void WriteUtf8(ReadOnlySpan<char> text, ArrayBufferWriter<byte> output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        try
        {
            var span = output.GetSpan(StrictUtf8.GetMaxByteCount(text.Length));
            output.Advance(StrictUtf8.GetBytes(text, span));
        }
        catch (EncoderFallbackException exception)
        {
            throw new CanonicalJsonException("A string is not valid Unicode (lone surrogate).", exception);
        }
    }

    private static void WriteAscii(string text, ArrayBufferWriter<byte> output)
    {
        var span = output.GetSpan(text.Length);
        output.Advance(Encoding.ASCII.GetBytes(text, span));
    }
}

/// <summary>The input cannot be canonicalized: not JSON, not I-JSON (duplicate names, lone surrogates), or not a finite number.</summary>
public sealed class CanonicalJsonException : FormatException
{
    public CanonicalJsonException(string message)
        : base(message)
    {
    }

    public CanonicalJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
