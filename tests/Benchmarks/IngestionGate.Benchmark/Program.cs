using System.Globalization;
using IngestionGate.Benchmark;

// The IG benchmark; tests/Benchmarks/run-ig-benchmark.sh builds, starts and stops everything and calls:
//   serve-ideal --url URL                 the ideal gateway (PLATFORM_PG_CONNECTION, PLATFORM_PRODUCER_API_KEY)
//   run --ideal-url URL --ig-url URL --pool FILE --out FILE --run-id ID --watch name:pid... [--postgres POSTMASTER_PID]
//       [--clk-tck N] [--ig-source TEXT]
//       [--search 1,2,4,...] [--step-seconds S] [--scenario-seconds S] [--open-loop-seconds S] [--batch-concurrency N]
// Both read the producer's API key from PLATFORM_PRODUCER_API_KEY (never from the command line).
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

if (args.Length == 0 || args[0] is not ("serve-ideal" or "run"))
{
    Console.Error.WriteLine("usage: IngestionGate.Benchmark serve-ideal --url URL | run --ideal-url URL --ig-url URL --pool FILE --out FILE --run-id ID --watch name:pid ...");
    return 2;
}

var options = Options.Parse(args[1..]);
var apiKey = Environment.GetEnvironmentVariable("PLATFORM_PRODUCER_API_KEY")
    ?? throw new InvalidOperationException("PLATFORM_PRODUCER_API_KEY is not set (source the backends' env file).");
if (args[0] == "serve-ideal")
{
    var connection = Environment.GetEnvironmentVariable("PLATFORM_PG_CONNECTION")
        ?? throw new InvalidOperationException("PLATFORM_PG_CONNECTION is not set (source the backends' env file).");
    return await IdealGateway.RunAsync(options.Required("url"), apiKey, connection, stopping.Token);
}

var settings = new BenchmarkSettings(
    new Uri(options.Required("ideal-url")),
    new Uri(options.Required("ig-url")),
    options.Required("pool"),
    options.Required("out"),
    options.Required("run-id"),
    options.Optional("ig-source", "not given"),
    [.. options.All("watch").Select(WatchedProcess.Parse), new WatchedProcess("loadgen", Environment.ProcessId)],
    options.Optional("postgres", "") is { Length: > 0 } postmaster ? int.Parse(postmaster, CultureInfo.InvariantCulture) : null,
    options.Int("clk-tck", 100),
    [.. options.Optional("search", "1,2,4,8,16,32,64,128,256,512,1024").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))],
    TimeSpan.FromSeconds(options.Int("step-seconds", 4)),
    TimeSpan.FromSeconds(options.Int("scenario-seconds", 15)),
    TimeSpan.FromSeconds(options.Int("open-loop-seconds", 15)),
    options.Int("batch-concurrency", 4));

var pool = EnvelopePool.Load(settings.PoolPath);
Console.Error.WriteLine($"{pool.Count} envelopes in the pool; ideal gateway {settings.IdealUrl}, IG {settings.IgUrl}");
var run = new BenchmarkRun(settings, pool, new LoadGenerator(pool, apiKey), new ProcessMeter(settings.Watched, settings.PostmasterPid, settings.ClockTicksPerSecond), Console.Error);
string markdown;
try
{
    markdown = (await run.RunAsync(stopping.Token)).ToMarkdown();
}
catch (Exception exception) when (exception is BenchmarkAbortedException or OperationCanceledException)
{
    Console.Error.WriteLine($"benchmark stopped: {exception.Message}");
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath))!);
await File.WriteAllTextAsync(settings.OutputPath, markdown);
Console.Out.Write(markdown);
return 0;

/// <summary><c>--name value</c> pairs; a name may repeat (<c>--watch</c>).</summary>
internal sealed class Options
{
    private readonly ILookup<string, string> _values;

    private Options(ILookup<string, string> values) => _values = values;

    public static Options Parse(string[] args)
    {
        if (args.Length % 2 != 0 || Enumerable.Range(0, args.Length / 2).Any(i => !args[2 * i].StartsWith("--", StringComparison.Ordinal)))
        {
            throw new ArgumentException("options come as --name value pairs");
        }

        return new Options(Enumerable.Range(0, args.Length / 2).ToLookup(i => args[2 * i][2..], i => args[(2 * i) + 1], StringComparer.Ordinal));
    }

    public IEnumerable<string> All(string name) => _values[name];

    public string Optional(string name, string fallback) => _values[name].LastOrDefault() ?? fallback;

    public string Required(string name) => _values[name].LastOrDefault() ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => int.Parse(Optional(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
