using System.IO.Compression;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>One archive record as the writer made it durable: its name and its serialized <see cref="ArchiveRecord"/>.</summary>
public sealed record NamedRecord(string Name, byte[] Record);

/// <summary>A segment ready to write: its key, its bytes and the names of the records it holds.</summary>
public sealed record EncodedSegment(string Key, byte[] Content, IReadOnlyList<string> Names);

/// <summary>
/// The archive's segment format (see <see cref="ArchiveKeys"/>): gzip-compressed NDJSON, one <see cref="ArchiveRecord"/>
/// per line, in name order, one day of one stream. Pure: no I/O.
/// </summary>
public static class ArchiveSegments
{
    /// <summary>Records per segment at most: ~1 MB of gzip for fraud envelopes, so 1,000,000 records are ~200 objects.</summary>
    public const int MaxRecords = 5_000;

    /// <summary>
    /// Bytes of one segment object at most. Objects cross the sidecar base64-encoded in one gRPC message, capped at
    /// 4 MiB by daprd; a segment that compresses worse than expected is split until it fits.
    /// </summary>
    public const int MaxObjectBytes = 2 * 1024 * 1024;

    /// <summary>Uncompressed bytes of one segment at most, on both sides: bounds the writer's batch and a reader's inflate.</summary>
    public const int MaxRawBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Cuts records into segments: by day, in name order, one copy per name (the first given), at most
    /// <see cref="MaxRecords"/> and <see cref="MaxRawBytes"/> each, split further while a segment's bytes exceed
    /// <see cref="MaxObjectBytes"/>. The same records give the same keys and bytes.
    /// </summary>
    public static IReadOnlyList<EncodedSegment> Encode(string platformRunId, EventStream stream, IEnumerable<NamedRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var byName = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!ArchiveKeys.IsRecordName(record.Name) || record.Record.AsSpan().Contains((byte)'\n'))
            {
                throw new ArgumentException($"'{record.Name}' is not a named single-line archive record.", nameof(records));
            }

            if (record.Record.Length + 1 > MaxRawBytes)
            {
                throw new ArgumentException($"Archive record {record.Name} alone exceeds {MaxRawBytes} bytes.", nameof(records));
            }

            byName.TryAdd(record.Name, record.Record);
        }

        var segments = new List<EncodedSegment>();
        var batch = new List<KeyValuePair<string, byte[]>>();
        long batchBytes = 0;
        foreach (var entry in byName)
        {
            var full = batch.Count == MaxRecords || batchBytes + entry.Value.Length + 1 > MaxRawBytes;
            if (batch.Count > 0 && (full || batch[0].Key[..8] != entry.Key[..8]))
            {
                AddFitting(platformRunId, stream, batch, segments);
                batch = [];
                batchBytes = 0;
            }

            batch.Add(entry);
            batchBytes += entry.Value.Length + 1;
        }

        if (batch.Count > 0)
        {
            AddFitting(platformRunId, stream, batch, segments);
        }

        return segments;
    }

    /// <summary>
    /// The records of a segment's bytes, after checking them against the digest its key names. Fails on a digest
    /// mismatch, on anything that is not gzip, and on more than <see cref="MaxRawBytes"/> inflated: a build reads the
    /// archive as written or not at all.
    /// </summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Decode(SegmentSpan span, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (Digests.Sha256Hex(content) != span.Sha256)
        {
            throw new InvalidDataException($"Archive segment {span.Key} does not match the digest its key names.");
        }

        byte[] raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content, writable: false), CompressionMode.Decompress);
            using var inflated = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                if (inflated.Length + read > MaxRawBytes)
                {
                    throw new InvalidDataException($"Archive segment {span.Key} inflates beyond {MaxRawBytes} bytes.");
                }

                inflated.Write(buffer, 0, read);
            }

            raw = inflated.ToArray();
        }
        catch (Exception exception) when (exception is not InvalidDataException)
        {
            throw new InvalidDataException($"Archive segment {span.Key} is not gzip: {exception.Message}", exception);
        }

        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = raw.AsMemory();
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            if (end < 0)
            {
                throw new InvalidDataException($"Archive segment {span.Key} ends inside a record.");
            }

            lines.Add(rest[..end]);
            rest = rest[(end + 1)..];
        }

        return lines;
    }

    private static void AddFitting(string platformRunId, EventStream stream, List<KeyValuePair<string, byte[]>> batch, List<EncodedSegment> segments)
    {
        var content = Gzip(batch);
        if (content.Length > MaxObjectBytes && batch.Count > 1)
        {
            var half = batch.Count / 2;
            AddFitting(platformRunId, stream, batch[..half], segments);
            AddFitting(platformRunId, stream, batch[half..], segments);
            return;
        }

        if (content.Length > MaxObjectBytes)
        {
            throw new ArgumentException($"Archive record {batch[0].Key} alone exceeds {MaxObjectBytes} bytes compressed.");
        }

        var key = ArchiveKeys.Segment(platformRunId, stream, batch[0].Key, batch[^1].Key, Digests.Sha256Hex(content));
        segments.Add(new EncodedSegment(key, content, [.. batch.Select(r => r.Key)]));
    }

    // Optimal, not Fastest: a segment is written once and read by every build of its range.
    private static byte[] Gzip(List<KeyValuePair<string, byte[]>> batch)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var (_, record) in batch)
            {
                gzip.Write(record);
                gzip.WriteByte((byte)'\n');
            }
        }

        return output.ToArray();
    }
}
