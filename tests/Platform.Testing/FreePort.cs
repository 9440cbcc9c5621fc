using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Platform.Testing;

public static class FreePort
{
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    private static readonly HashSet<int> HandedOut = [];

    private static readonly (int Low, int High) Candidates = CandidateRange();

    /// <summary>
    /// A loopback TCP port nobody listens on right now and not handed out before in this process. It is taken below
    /// the kernel's ephemeral range: a port from that range, freed again, can become the source port of any outgoing
    /// connection before the test binds it ("address already in use").
    /// </summary>
    public static int Next()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Candidates.Low, Candidates.High);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port in {Candidates.Low}-{Candidates.High - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// [10000, start of the ephemeral range), else the ports above it; every port when neither leaves a thousand
    /// (Linux's default ephemeral range is 32768-60999).
    /// </summary>
    private static (int Low, int High) CandidateRange()
    {
        var (ephemeralLow, ephemeralHigh) = (32768, 60999);
        if (File.Exists(EphemeralRangeFile))
        {
            var bounds = File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            (ephemeralLow, ephemeralHigh) = (int.Parse(bounds[0], CultureInfo.InvariantCulture), int.Parse(bounds[1], CultureInfo.InvariantCulture));
        }

        if (ephemeralLow - 10000 >= 1000)
        {
            return (10000, ephemeralLow);
        }

        return 65535 - ephemeralHigh >= 1000 ? (ephemeralHigh + 1, 65536) : (1024, 65536);
    }
}
