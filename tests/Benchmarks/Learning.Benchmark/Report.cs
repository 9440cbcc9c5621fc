using System.Globalization;

namespace Learning.Benchmark;

/// <summary>Collects the timed steps and prints those not printed yet as a table: seconds, rows and rows/s each.</summary>
internal sealed class Report
{
    private readonly List<(string Kind, string Name, TimeSpan Elapsed, long Rows)> _lines = [];

    public void Setup(string name, TimeSpan elapsed, long rows) => _lines.Add(("setup", name, elapsed, rows));

    public void Stage(string name, TimeSpan elapsed, long rows) => _lines.Add(("stage", name, elapsed, rows));

    public void Probe(string name, TimeSpan elapsed, long rows) => _lines.Add(("probe", name, elapsed, rows));

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"kind",-6} {"step",-52} {"seconds",9} {"rows",11} {"rows/s",12}"));
        foreach (var (kind, name, elapsed, rows) in _lines)
        {
            var perSecond = elapsed.TotalSeconds > 0 ? rows / elapsed.TotalSeconds : double.PositiveInfinity;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-6} {name,-52} {elapsed.TotalSeconds,9:F2} {rows,11:N0} {perSecond,12:N0}"));
        }

        _lines.Clear();
    }
}
