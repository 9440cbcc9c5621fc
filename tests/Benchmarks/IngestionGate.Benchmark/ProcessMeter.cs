using System.Globalization;
using System.Text.RegularExpressions;

namespace IngestionGate.Benchmark;

/// <summary>A process the benchmark watches: a name for the report and its pid.</summary>
internal sealed record WatchedProcess(string Name, int Pid)
{
    /// <summary>Parses <c>name:pid</c>.</summary>
    public static WatchedProcess Parse(string text)
    {
        var parts = text.Split(':', 2);
        return parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? new WatchedProcess(parts[0], pid)
            : throw new ArgumentException($"--watch takes name:pid (got '{text}')");
    }
}

/// <summary>CPU seconds of each watched process and of the whole machine over one scenario, and peak RSS of each.</summary>
internal sealed record ResourceUsage(IReadOnlyDictionary<string, double> CpuSeconds, double MachineBusySeconds, double MachineSeconds, IReadOnlyDictionary<string, long> PeakRssKiB);

/// <summary>
/// Reads Linux /proc: utime+stime of each watched process from <c>/proc/&lt;pid&gt;/stat</c>, busy and total time of all
/// CPUs from <c>/proc/stat</c>, and the peak resident set VmHWM from <c>/proc/&lt;pid&gt;/status</c>, reset before each
/// scenario by writing 5 to <c>/proc/&lt;pid&gt;/clear_refs</c> (Linux 4.0+; where that is refused the peak counts since
/// the process started). PostgreSQL is shared with whatever else runs on the machine, so it is reported as
/// <see cref="Postgres"/>: the CPU of those backends (children of the postmaster) that serve a connection of a watched
/// process, found by the client port in the backend's title and the watched processes' sockets.
/// </summary>
internal sealed partial class ProcessMeter(IReadOnlyList<WatchedProcess> watched, int? postmasterPid, int clockTicksPerSecond)
{
    public const string Postgres = "postgres";

    private Dictionary<string, long>? _startTicks;
    private Dictionary<int, long> _startBackendTicks = [];
    private (long Busy, long Total) _startMachine;

    public bool PeakResetWorks { get; private set; } = true;

    public void Start()
    {
        foreach (var process in watched)
        {
            try
            {
                File.WriteAllText($"/proc/{process.Pid}/clear_refs", "5");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                PeakResetWorks = false;
            }
        }

        _startBackendTicks = Backends().ToDictionary(b => b.Pid, b => b.Ticks);
        _startTicks = watched.ToDictionary(p => p.Name, p => OwnTicks(p.Pid) ?? 0);
        _startMachine = MachineTicks();
    }

    public ResourceUsage Stop()
    {
        var start = _startTicks ?? throw new InvalidOperationException("Start first.");
        var machine = MachineTicks();
        var cpu = watched.ToDictionary(p => p.Name, p => (double)((OwnTicks(p.Pid) ?? 0) - start[p.Name]) / clockTicksPerSecond);
        if (postmasterPid is not null)
        {
            // A backend that appeared during the scenario counts in full; one that ended during it is lost (rare: pooled connections).
            var ours = ClientPorts();
            cpu[Postgres] = (double)Backends().Where(b => ours.Contains(b.ClientPort))
                .Sum(b => b.Ticks - _startBackendTicks.GetValueOrDefault(b.Pid)) / clockTicksPerSecond;
        }

        return new ResourceUsage(
            cpu,
            (double)(machine.Busy - _startMachine.Busy) / clockTicksPerSecond,
            (double)(machine.Total - _startMachine.Total) / clockTicksPerSecond,
            watched.ToDictionary(p => p.Name, p => PeakRssKiB(p.Pid)));
    }

    /// <summary>The name of the first watched process that is gone, or null while all run.</summary>
    public string? FirstDead() => watched.FirstOrDefault(p => !File.Exists($"/proc/{p.Pid}/stat"))?.Name;

    /// <summary>The postmaster's children that serve a TCP client, with the client's port ("postgres: user db 127.0.0.1(port) state").</summary>
    private IEnumerable<(int Pid, int ClientPort, long Ticks)> Backends()
    {
        if (postmasterPid is not { } postmaster)
        {
            yield break;
        }

        var parent = postmaster.ToString(CultureInfo.InvariantCulture);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || StatFields(pid) is not { } fields || fields[1] != parent)
            {
                continue;
            }

            var title = Read($"/proc/{pid}/cmdline");
            if (title is not null && BackendClientPort().Match(title) is { Success: true } match)
            {
                yield return (pid, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), Ticks(fields));
            }
        }
    }

    /// <summary>Local TCP ports of every socket the watched processes hold (IPv4 and IPv6, .NET sockets are dual-mode).</summary>
    private HashSet<int> ClientPorts()
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var process in watched)
        {
            try
            {
                foreach (var fd in Directory.EnumerateFiles($"/proc/{process.Pid}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    {
                        inodes.Add(target["socket:[".Length..^1]);
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read: it holds no connection we can attribute.
            }
        }

        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 9 && inodes.Contains(columns[9]))
                {
                    ports.Add(int.Parse(columns[1][(columns[1].IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }

    private static long? OwnTicks(int pid) => StatFields(pid) is { } fields ? Ticks(fields) : null;

    private static long Ticks(string[] fields) =>
        long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime.</summary>
    private static string[]? StatFields(int pid) =>
        // The command name is in parentheses and may itself contain spaces or parentheses.
        Read($"/proc/{pid}/stat") is { } stat ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ') : null;

    private static (long Busy, long Total) MachineTicks()
    {
        // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user already)
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }

    private static long PeakRssKiB(int pid)
    {
        var line = Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\((\d+)\)")]
    private static partial Regex BackendClientPort();
}
