using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Platform.Substrate.Pinning;

namespace Platformctl.Cli;

/// <summary>Option checks and console facts the verbs share.</summary>
public static class OptionRules
{
    public static bool TryParseHttpUrl(string? text, out Uri url) =>
        Uri.TryCreate(text, UriKind.Absolute, out url!) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    /// <summary>An RFC 3339 time in UTC (ending in Z), truncated to the contracts' microseconds.</summary>
    public static bool TryParseUtc(string? text, out DateTimeOffset value)
    {
        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value)
            && text!.EndsWith('Z');
        value = UtcTimestamp.Truncate(value);
        return ok;
    }

    /// <summary>Adds <paramref name="message"/> to the option's errors unless <paramref name="valid"/>.</summary>
    public static void Check(OptionResult result, bool valid, string message)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!valid)
        {
            result.AddError(message);
        }
    }

    /// <summary>An http(s) URL option with a default, validated at parse time.</summary>
    public static Option<string> UrlOption(string name, string description, string defaultUrl)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultUrl };
        option.Validators.Add(r => Check(r, TryParseHttpUrl(r.GetValueOrDefault<string>(), out _), $"{name} must be an absolute http(s) URL"));
        return option;
    }

    /// <summary>The value of a validated URL option.</summary>
    public static Uri Url(ParseResult parse, Option<string> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return TryParseHttpUrl(parse.GetValue(option), out var url) ? url : throw new InvalidOperationException($"{option.Name} was validated");
    }

    /// <summary>True when <paramref name="writer"/> is the process's own console stream and a live terminal, not a pipe or a test.</summary>
    public static bool IsLiveTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected) || (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected);
}
