using System.IO.Compression;
using System.Text;
using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Tests.Archive;

/// <summary>The segment format: what Encode cuts and how, and what Decode refuses to hand a build.</summary>
public sealed class ArchiveSegmentsTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly EventStream Traffic = PlatformNames.Streams.Traffic;
    private static readonly string StreamPrefix = ArchiveKeys.StreamPrefix(Run, Traffic);
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static string Name(DateTimeOffset ts, int i) => ArchiveKeys.RecordName(ts, Digests.Hex32(Digests.Sha256Hex(BitConverter.GetBytes(i))));

    private static NamedRecord Record(DateTimeOffset ts, int i, string payload = "")
    {
        var name = Name(ts, i);
        return new NamedRecord(name, Encoding.UTF8.GetBytes($$"""{"name":"{{name}}","payload":"{{payload}}"}"""));
    }

    private static SegmentSpan Span(EncodedSegment segment)
    {
        Assert.True(ArchiveKeys.TryParseSegment(segment.Key, StreamPrefix, out var span), segment.Key);
        return span;
    }

    private static List<string> Lines(EncodedSegment segment) =>
        [.. ArchiveSegments.Decode(Span(segment), segment.Content).Select(line => Encoding.UTF8.GetString(line.Span))];

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }

    private static string RandomText(Random random, int bytes)
    {
        var buffer = new byte[bytes];
        random.NextBytes(buffer);
        return Convert.ToBase64String(buffer);
    }

    [Fact]
    public void Records_come_back_in_name_order_one_copy_per_name_the_first_given()
    {
        var records = Enumerable.Range(0, 50).Select(i => Record(Day.AddMinutes(37 * i % 600), i)).ToList();
        var shuffled = records.OrderBy(r => Digests.Sha256Hex(r.Record)).ToList();
        var second = new NamedRecord(records[7].Name, Encoding.UTF8.GetBytes("""{"second":"copy"}"""));

        var segments = ArchiveSegments.Encode(Run, Traffic, [.. shuffled, second]);

        var segment = Assert.Single(segments);
        var ordered = records.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(ordered.Select(r => r.Name), segment.Names);
        Assert.Equal(ordered.Select(r => Encoding.UTF8.GetString(r.Record)), Lines(segment));
        Assert.Equal(ArchiveKeys.Segment(Run, Traffic, ordered[0].Name, ordered[^1].Name, Digests.Sha256Hex(segment.Content)), segment.Key);

        // The first copy given wins, whichever order the copies come in.
        var secondFirst = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [second, .. records]));
        Assert.Contains("""{"second":"copy"}""", Lines(secondFirst));
        Assert.DoesNotContain(Encoding.UTF8.GetString(records[7].Record), Lines(secondFirst));
    }

    [Fact]
    public void Records_of_different_days_go_to_different_segments()
    {
        var records = Enumerable.Range(0, 30).Select(i => Record(Day.AddHours(5 * i), i)).ToList();

        var segments = ArchiveSegments.Encode(Run, Traffic, records);

        Assert.Equal(records.Select(r => r.Name[..8]).Distinct().Count(), segments.Count);
        Assert.All(segments, s => Assert.All(s.Names, n => Assert.Equal(s.Names[0][..8], n[..8])));
        Assert.All(segments, s => Assert.Contains($"/{s.Names[0][..8]}/", s.Key, StringComparison.Ordinal));
        Assert.Equal(records.Select(r => r.Name), segments.SelectMany(s => s.Names));
    }

    [Fact]
    public void A_day_of_more_than_max_records_is_cut_at_max_records()
    {
        var records = Enumerable.Range(0, ArchiveSegments.MaxRecords + 1).Select(i => Record(Day.AddSeconds(i), i)).ToList();

        var segments = ArchiveSegments.Encode(Run, Traffic, records);

        Assert.Equal([ArchiveSegments.MaxRecords, 1], segments.Select(s => s.Names.Count));
        Assert.Equal(records.Select(r => r.Name), segments.SelectMany(s => s.Names));
        Assert.Equal(records[^1].Name, Span(segments[1]).FirstName);
    }

    [Fact]
    public void Records_that_compress_beyond_the_object_cap_are_split_until_every_segment_fits()
    {
        var random = new Random(5);
        // ~136 kB of base64 each, ~103 kB gzipped: 30 are ~3 MB compressed yet far below the record and raw caps.
        var records = Enumerable.Range(0, 30).Select(i => Record(Day.AddMinutes(i), i, RandomText(random, 100_000))).ToList();
        Assert.True(records.Sum(r => r.Record.Length + 1) < ArchiveSegments.MaxRawBytes);

        var segments = ArchiveSegments.Encode(Run, Traffic, records);

        Assert.True(segments.Count > 1);
        Assert.True(segments.Sum(s => (long)s.Content.Length) > ArchiveSegments.MaxObjectBytes);
        Assert.All(segments, s => Assert.True(s.Content.Length <= ArchiveSegments.MaxObjectBytes, $"{s.Key}: {s.Content.Length} bytes"));
        Assert.Equal(records.Select(r => r.Name), segments.SelectMany(s => s.Names));
        Assert.Equal(records.Select(r => Encoding.UTF8.GetString(r.Record)), segments.SelectMany(Lines));
    }

    [Fact]
    public void One_record_that_cannot_fit_an_object_is_refused()
    {
        var random = new Random(6);
        var huge = Record(Day, 1, RandomText(random, ArchiveSegments.MaxObjectBytes));

        Assert.Throws<ArgumentException>(() => ArchiveSegments.Encode(Run, Traffic, [huge]));
    }

    [Fact]
    public void The_same_records_in_any_order_give_the_same_keys_and_bytes()
    {
        var records = Enumerable.Range(0, 200).Select(i => Record(Day.AddMinutes(17 * i), i)).ToList();

        var first = ArchiveSegments.Encode(Run, Traffic, records);
        var second = ArchiveSegments.Encode(Run, Traffic, Enumerable.Reverse(records));

        Assert.Equal(first.Select(s => s.Key), second.Select(s => s.Key));
        Assert.Equal(first.Select(s => Convert.ToHexString(s.Content)), second.Select(s => Convert.ToHexString(s.Content)));
    }

    [Fact]
    public void Encode_refuses_unnamed_and_multi_line_records()
    {
        Assert.Throws<ArgumentException>(() => ArchiveSegments.Encode(Run, Traffic, [new NamedRecord("not-a-name", "{}"u8.ToArray())]));
        Assert.Throws<ArgumentException>(() => ArchiveSegments.Encode(Run, Traffic, [new NamedRecord(Name(Day, 1), "{\n}"u8.ToArray())]));
    }

    [Fact]
    public void Decode_refuses_bytes_that_do_not_match_the_digest_of_the_key()
    {
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [Record(Day, 1), Record(Day, 2)]));
        var tampered = (byte[])segment.Content.Clone();
        tampered[^5] ^= 1;

        Assert.Throws<InvalidDataException>(() => ArchiveSegments.Decode(Span(segment), tampered));
        Assert.Throws<InvalidDataException>(() => ArchiveSegments.Decode(Span(segment) with { Sha256 = new string('0', 64) }, segment.Content));
        Assert.Equal(2, ArchiveSegments.Decode(Span(segment), segment.Content).Count);
    }

    [Fact]
    public void Decode_refuses_what_is_not_gzip_even_when_its_digest_matches()
    {
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [Record(Day, 1), Record(Day, 2)]));
        var plain = Encoding.UTF8.GetBytes(string.Concat(segment.Names.Select(n => n + "\n")));
        var cut = segment.Content[..(segment.Content.Length / 2)];

        foreach (var content in new[] { plain, cut })
        {
            Assert.Throws<InvalidDataException>(() => ArchiveSegments.Decode(Span(segment) with { Sha256 = Digests.Sha256Hex(content) }, content));
        }
    }

    [Fact]
    public void Decode_refuses_a_segment_whose_last_line_is_cut_short()
    {
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [Record(Day, 1)]));
        var content = Gzip("{\"a\":1}\n{\"b\":"u8.ToArray());

        var refused = Assert.Throws<InvalidDataException>(() => ArchiveSegments.Decode(Span(segment) with { Sha256 = Digests.Sha256Hex(content) }, content));
        Assert.Contains("ends inside a record", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_stops_inflating_beyond_the_raw_cap()
    {
        var segment = Assert.Single(ArchiveSegments.Encode(Run, Traffic, [Record(Day, 1)]));
        // A small object that inflates to one byte more than any segment may hold; its digest matches, so only the size check can refuse it.
        var bomb = Gzip(new byte[ArchiveSegments.MaxRawBytes + 1]);
        Assert.True(bomb.Length < ArchiveSegments.MaxObjectBytes);

        var refused = Assert.Throws<InvalidDataException>(() => ArchiveSegments.Decode(Span(segment) with { Sha256 = Digests.Sha256Hex(bomb) }, bomb));
        Assert.Contains($"inflates beyond {ArchiveSegments.MaxRawBytes}", refused.Message, StringComparison.Ordinal);
    }
}
