using System.CommandLine;
using Platformctl.Delivery;

namespace Platformctl.Cli;

/// <summary>The options every batch-sending verb has (key, concurrency, attempts, timeout), checked at parse time.</summary>
public sealed class BatchSendOptions
{
    private readonly string apiKeyVariable;

    public BatchSendOptions(string apiKeyVariable, string keyOwner, string itemNoun, int maxConcurrency)
    {
        this.apiKeyVariable = apiKeyVariable;
        ApiKey = new("--api-key") { Description = $"{keyOwner} API key (default: ${apiKeyVariable}); never printed" };
        Concurrency = new("--concurrency") { Description = "requests in flight at once", DefaultValueFactory = _ => 4 };
        Concurrency.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<int>() >= 1 && r.GetValueOrDefault<int>() <= maxConcurrency, $"--concurrency must be between 1 and {maxConcurrency}"));
        MaxAttempts = new("--max-attempts") { Description = $"attempts per {itemNoun} before a still-retryable one counts as lost", DefaultValueFactory = _ => 8 };
        MaxAttempts.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 100, "--max-attempts must be between 1 and 100"));
        Timeout = new("--timeout-seconds") { Description = "per-request timeout", DefaultValueFactory = _ => 30 };
        Timeout.Validators.Add(r => OptionRules.Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 600, "--timeout-seconds must be between 1 and 600"));
    }

    public Option<string?> ApiKey { get; }

    public Option<int> Concurrency { get; }

    public Option<int> MaxAttempts { get; }

    public Option<int> Timeout { get; }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(ApiKey);
        command.Options.Add(Concurrency);
        command.Options.Add(MaxAttempts);
        command.Options.Add(Timeout);
    }

    /// <summary>--api-key, else the environment variable; null when neither is set.</summary>
    public string? Key(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var key = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable(apiKeyVariable);
        return string.IsNullOrWhiteSpace(key) ? null : key;
    }

    /// <summary><paramref name="options"/> with the parsed concurrency, attempts and timeout.</summary>
    public T Apply<T>(T options, ParseResult parse)
        where T : BatchPostOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parse);
        return options with
        {
            Concurrency = parse.GetValue(Concurrency),
            MaxAttempts = parse.GetValue(MaxAttempts),
            RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(Timeout)),
        };
    }
}
