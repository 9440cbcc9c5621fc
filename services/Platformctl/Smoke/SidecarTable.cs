using System.Globalization;

namespace Platformctl.Smoke;

/// <summary>One row of deploy/&lt;env&gt;/apps.tsv.</summary>
public sealed record SidecarEndpoint(string AppId, int AppPort, int DaprHttpPort, int DaprGrpcPort);

public static class SidecarTable
{
    public static IReadOnlyList<SidecarEndpoint> Read(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(cols => cols.Length >= 4
                ? new SidecarEndpoint(cols[0], Port(cols[1]), Port(cols[2]), Port(cols[3]))
                : throw new FormatException($"{path}: expected at least 4 tab-separated columns, got '{string.Join(' ', cols)}'"))
            .ToList();

    private static int Port(string raw) => int.Parse(raw, NumberStyles.None, CultureInfo.InvariantCulture);
}
