using Spectre.Console;

namespace Platformctl.Env;

/// <summary>
/// Operator output: tables and colours on an interactive terminal; when stdout is redirected (or a test supplies its
/// own writer) plain tab-separated lines a script can parse, and the exit code carries the verdict.
/// </summary>
public sealed class OperatorConsole
{
    private readonly TextWriter _output;
    private readonly IAnsiConsole? _terminal;

    public OperatorConsole(TextWriter output)
    {
        _output = output;
        if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
        {
            _terminal = AnsiConsole.Console;
        }
    }

    public bool IsTerminal => _terminal is not null;

    /// <summary>A table; plain output is one tab-separated line per row, without the header.</summary>
    public void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, Color? accent = null)
    {
        if (_terminal is null)
        {
            foreach (var row in rows)
            {
                _output.WriteLine(string.Join('\t', row));
            }

            return;
        }

        var table = new Table { Title = new TableTitle(Markup.Escape(title)), Border = TableBorder.Rounded };
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]"));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Markup(accent is { } colour ? $"[{colour.ToMarkup()}]{Markup.Escape(cell)}[/]" : Markup.Escape(cell))).ToArray());
        }

        _terminal.Write(table);
    }

    /// <summary>A verdict line: green or red on a terminal, plain text otherwise.</summary>
    public void Verdict(bool ok, string message)
    {
        if (_terminal is null)
        {
            _output.WriteLine(message);
        }
        else
        {
            _terminal.MarkupLine($"[{(ok ? "green" : "red")}]{Markup.Escape(message)}[/]");
        }
    }
}
