using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using FeatureStore.Domain;
using Platform.Features;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Infrastructure;

/// <summary>How many records of a range a read handed on, and how many extra copies of a name it passed over.</summary>
public sealed record ArchiveReadCounts(long Records, long Duplicates);

/// <summary>
/// Reads the records of one replayed range from the segments a snapshot froze: each segment verified against the
/// digest its key names, each record named as the writer named it, only names inside the range, one copy per name.
/// Two copies of a name must carry the same envelope (a compaction and a build's sweep may both have written it);
/// different envelopes under one name stop the read: the archive is ambiguous and a build must not guess.
/// </summary>
public sealed class ArchiveRangeReader(IObjectStore objects)
{
    // Segments are ~1 MB: a few in flight keep both cores busy decoding while the next ones transfer.
    private const int ReadConcurrency = 4;

    /// <summary>
    /// Hands each record's name and envelope to <paramref name="onRecord"/>, from several threads at once and in no
    /// particular order; the envelope is valid during the call only.
    /// </summary>
    public async Task<ArchiveReadCounts> ReadAsync(
        IReadOnlyList<SegmentSpan> segments, ReplayRange range, Action<string, JsonElement> onRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(onRecord);
        var seen = new ConcurrentDictionary<string, UInt128>(StringComparer.Ordinal);
        long records = 0;
        long duplicates = 0;
        await Parallel.ForEachAsync(segments, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken }, async (segment, ct) =>
        {
            var content = await objects.GetAsync(segment.Key, ct) ?? throw new InvalidDataException($"Archive segment {segment.Key} named by the snapshot is missing.");
            foreach (var line in ArchiveSegments.Decode(segment, content))
            {
                using var document = JsonDocument.Parse(line);
                var (name, envelope) = Named(segment, document.RootElement);
                if (string.CompareOrdinal(name, range.StartOffset) < 0 || string.CompareOrdinal(name, range.EndOffset) > 0)
                {
                    continue;
                }

                var identity = EnvelopeIdentity(envelope);
                if (seen.TryAdd(name, identity))
                {
                    Interlocked.Increment(ref records);
                    onRecord(name, envelope);
                }
                else if (seen[name] == identity)
                {
                    Interlocked.Increment(ref duplicates);
                }
                else
                {
                    throw new InvalidDataException($"The archive holds two different envelopes named {name} (one in {segment.Key}).");
                }
            }
        });
        return new ArchiveReadCounts(records, duplicates);
    }

    /// <summary>The segments of <paramref name="keys"/> (a snapshot's list), refusing anything that is not one of the stream's segment keys.</summary>
    public static IReadOnlyList<SegmentSpan> Segments(IEnumerable<string> keys, string platformRunId, EventStream stream)
    {
        var prefix = ArchiveKeys.StreamPrefix(platformRunId, stream);
        return [.. keys.Select(key => ArchiveKeys.TryParseSegment(key, prefix, out var span)
            ? span
            : throw new InvalidDataException($"'{key}' is not an archive segment of {prefix}."))];
    }

    private static (string Name, JsonElement Envelope) Named(SegmentSpan segment, JsonElement record)
    {
        if (record.ValueKind == JsonValueKind.Object
            && record.TryGetProperty("envelope", out var envelope) && envelope.ValueKind == JsonValueKind.Object
            && envelope.TryGetProperty("ts_utc", out var ts) && ts.ValueKind == JsonValueKind.String && FeatureEvent.TryParseUtc(ts.GetString(), out var tsUtc)
            && record.TryGetProperty("eb_ref", out var ebRef) && ebRef.ValueKind == JsonValueKind.Object
            && ebRef.TryGetProperty("offset", out var offset) && offset.ValueKind == JsonValueKind.String && offset.GetString() is { Length: 32 } publishId
            && publishId.All(char.IsAsciiHexDigitLower))
        {
            var name = ArchiveKeys.RecordName(tsUtc, publishId);
            if (string.CompareOrdinal(name, segment.FirstName) >= 0 && string.CompareOrdinal(name, segment.LastName) <= 0)
            {
                return (name, envelope);
            }
        }

        throw new InvalidDataException($"Archive segment {segment.Key} holds a record that is not an archive record of its span.");
    }

    // The writer stores envelopes as the bus carried them (IG publishes canonical JSON), so the raw bytes identify one.
    private static UInt128 EnvelopeIdentity(JsonElement envelope)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(JsonMarshal.GetRawUtf8Value(envelope), hash);
        return new UInt128(BitConverter.ToUInt64(hash[..8]), BitConverter.ToUInt64(hash[8..16]));
    }
}
