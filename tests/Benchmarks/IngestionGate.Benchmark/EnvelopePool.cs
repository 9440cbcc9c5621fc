using System.Globalization;
using System.Text;

namespace IngestionGate.Benchmark;

/// <summary>
/// Request bodies made from a pool of realistic envelopes (<c>platformctl produce --dry-run</c>, one per NDJSON line,
/// all of the benchmark run's fresh platform_run_id). Every envelope handed out is unique: its event_id gets the
/// suffix <c>-&lt;n&gt;</c> from one counter for the whole run, so no scenario ever sends a duplicate; the bytes are
/// otherwise the producer's own. Thread-safe; the splice is a copy, cheap next to the request it feeds.
/// </summary>
internal sealed class EnvelopePool
{
    private static readonly byte[] EventIdMember = "\"event_id\":\""u8.ToArray();
    private readonly (byte[] Head, byte[] Tail)[] _envelopes;
    private long _next;

    private EnvelopePool((byte[] Head, byte[] Tail)[] envelopes) => _envelopes = envelopes;

    public int Count => _envelopes.Length;

    /// <summary>Envelopes handed out so far.</summary>
    public long Issued => Interlocked.Read(ref _next);

    public static EnvelopePool Load(string ndjsonPath)
    {
        var envelopes = new List<(byte[], byte[])>();
        foreach (var line in File.ReadLines(ndjsonPath, Encoding.UTF8))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(line);
            var start = bytes.AsSpan().IndexOf(EventIdMember);
            var end = start < 0 ? -1 : bytes.AsSpan(start + EventIdMember.Length).IndexOf((byte)'"');
            if (end < 0)
            {
                throw new InvalidDataException($"{ndjsonPath}: an envelope without a string event_id.");
            }

            var split = start + EventIdMember.Length + end;
            envelopes.Add((bytes[..split], bytes[split..]));
        }

        return envelopes.Count > 0 ? new EnvelopePool([.. envelopes]) : throw new InvalidDataException($"{ndjsonPath} holds no envelopes.");
    }

    /// <summary>One envelope (the single-event body) when <paramref name="count"/> is 0, else a JSON array of <paramref name="count"/>.</summary>
    public byte[] NextBody(int count)
    {
        var first = Interlocked.Add(ref _next, Math.Max(count, 1)) - Math.Max(count, 1);
        using var body = new MemoryStream(count == 0 ? 1024 : count * 1024);
        if (count == 0)
        {
            Write(body, first);
            return body.ToArray();
        }

        body.WriteByte((byte)'[');
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                body.WriteByte((byte)',');
            }

            Write(body, first + i);
        }

        body.WriteByte((byte)']');
        return body.ToArray();
    }

    private void Write(MemoryStream body, long sequence)
    {
        var (head, tail) = _envelopes[sequence % _envelopes.Length];
        body.Write(head);
        body.Write(Encoding.ASCII.GetBytes("-" + sequence.ToString(CultureInfo.InvariantCulture)));
        body.Write(tail);
    }
}
