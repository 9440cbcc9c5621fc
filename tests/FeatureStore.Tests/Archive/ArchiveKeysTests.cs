using FeatureStore.Domain;
using Platform.Substrate.BuildingBlocks;

namespace FeatureStore.Tests.Archive;

/// <summary>Record names, spool and segment keys: their format, their order, and what they refuse to become.</summary>
public sealed class ArchiveKeysTests
{
    private const string Run = "platform_20261120T000000Z";
    private static readonly EventStream Traffic = PlatformNames.Streams.Traffic;
    private static readonly string Id = new('a', 32);
    private static readonly string Sha = string.Concat(Enumerable.Repeat("5e", 32));

    private static string Name(int hour, char id = 'a') => ArchiveKeys.RecordName(new DateTimeOffset(2026, 11, 20, hour, 0, 0, TimeSpan.Zero), new string(id, 32));

    [Fact]
    public void A_record_name_is_the_utc_event_time_to_the_microsecond_then_the_publish_id()
    {
        var ts = new DateTimeOffset(2026, 11, 20, 11, 5, 7, TimeSpan.FromHours(1)).AddTicks(1_234_567);

        var name = ArchiveKeys.RecordName(ts, Id);

        Assert.Equal("20261120T100507123456Z_" + Id, name);
        Assert.True(ArchiveKeys.IsRecordName(name));
        Assert.False(ArchiveKeys.IsRecordName(name.ToUpperInvariant()));
        Assert.False(ArchiveKeys.IsRecordName(null));
    }

    [Fact]
    public void Names_order_by_event_time_first_then_by_publish_id()
    {
        var names = new[] { Name(12, '0'), Name(10, 'f'), Name(10, '1'), Name(11, '0') };

        Assert.Equal([Name(10, '1'), Name(10, 'f'), Name(11, '0'), Name(12, '0')], names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("../aaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_publish_id_that_is_not_hex32_never_becomes_part_of_a_name(string publishId) =>
        Assert.Throws<ArgumentException>(() => ArchiveKeys.RecordName(DateTimeOffset.UnixEpoch, publishId));

    [Fact]
    public void A_spool_key_reads_back_to_its_record_name_and_nothing_else_does()
    {
        var prefix = ArchiveKeys.SpoolPrefix(Run, Traffic);
        var key = ArchiveKeys.Spool(Run, Traffic, Name(10));

        Assert.Equal($"{Run}/archive/{Traffic.ShortName}/spool/{Name(10)}.json", key);
        Assert.Equal(Name(10), ArchiveKeys.SpoolRecordName(key, prefix));
        Assert.Null(ArchiveKeys.SpoolRecordName(key, ArchiveKeys.SpoolPrefix(Run, PlatformNames.Streams.Context)));
        Assert.Null(ArchiveKeys.SpoolRecordName(key + ".tmp", prefix));
        Assert.Null(ArchiveKeys.SpoolRecordName(prefix + "not-a-name.json", prefix));
        Assert.Null(ArchiveKeys.SpoolRecordName(ArchiveKeys.Segment(Run, Traffic, Name(10), Name(11), Sha), prefix));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Spool(Run, Traffic, "../" + Name(10)));
    }

    [Fact]
    public void A_segment_key_names_its_day_span_and_digest_and_reads_back_to_them()
    {
        var prefix = ArchiveKeys.StreamPrefix(Run, Traffic);
        var key = ArchiveKeys.Segment(Run, Traffic, Name(10), Name(12), Sha);

        Assert.Equal($"{Run}/archive/{Traffic.ShortName}/20261120/{Name(10)}__{Name(12)}__{Sha}{ArchiveKeys.SegmentSuffix}", key);
        Assert.True(ArchiveKeys.TryParseSegment(key, prefix, out var span));
        Assert.Equal(new SegmentSpan(key, Name(10), Name(12), Sha), span);
        // One record is a span too.
        Assert.True(ArchiveKeys.TryParseSegment(ArchiveKeys.Segment(Run, Traffic, Name(10), Name(10), Sha), prefix, out var single));
        Assert.Equal(single.FirstName, single.LastName);
    }

    [Fact]
    public void Keys_that_are_not_segments_of_the_stream_do_not_parse()
    {
        var prefix = ArchiveKeys.StreamPrefix(Run, Traffic);
        var key = ArchiveKeys.Segment(Run, Traffic, Name(10), Name(12), Sha);

        Assert.False(ArchiveKeys.TryParseSegment(key, ArchiveKeys.StreamPrefix(Run, PlatformNames.Streams.Context), out _));
        Assert.False(ArchiveKeys.TryParseSegment(key, ArchiveKeys.StreamPrefix("platform_20261121T000000Z", Traffic), out _));
        Assert.False(ArchiveKeys.TryParseSegment(ArchiveKeys.Spool(Run, Traffic, Name(10)), prefix, out _));
        Assert.False(ArchiveKeys.TryParseSegment(key + ".tmp", prefix, out _));
        Assert.False(ArchiveKeys.TryParseSegment(key.Replace("/20261120/", "/20261121/", StringComparison.Ordinal), prefix, out _));
        Assert.False(ArchiveKeys.TryParseSegment(key.Replace(Sha, Sha.ToUpperInvariant(), StringComparison.Ordinal), prefix, out _));
        Assert.False(ArchiveKeys.TryParseSegment(key.Replace(Sha, Sha + "5", StringComparison.Ordinal), prefix, out _));
        Assert.False(ArchiveKeys.TryParseSegment(prefix + "x/" + key[prefix.Length..], prefix, out _));
        // Spans Segment refuses to write do not parse either: reversed, or ending on another day.
        var nextDay = ArchiveKeys.RecordName(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), Id);
        Assert.False(ArchiveKeys.TryParseSegment($"{prefix}20261120/{Name(12)}__{Name(10)}__{Sha}{ArchiveKeys.SegmentSuffix}", prefix, out _));
        Assert.False(ArchiveKeys.TryParseSegment($"{prefix}20261120/{Name(12)}__{nextDay}__{Sha}{ArchiveKeys.SegmentSuffix}", prefix, out _));
    }

    [Fact]
    public void A_segment_key_refuses_a_bad_digest_a_reversed_span_a_cross_day_span_and_anything_not_a_name()
    {
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(10), Name(11), Sha.ToUpperInvariant()));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(10), Name(11), Sha + "5"));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(10), Name(11), Sha[1..]));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(10), Name(11), new string('g', 64)));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(11), Name(10), Sha));
        var nextDay = ArchiveKeys.RecordName(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), Id);
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(23), nextDay, Sha));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, "20261120", Name(10), Sha));
        Assert.Throws<ArgumentException>(() => ArchiveKeys.Segment(Run, Traffic, Name(10), Name(10) + "/..", Sha));
    }

    [Fact]
    public void A_span_overlaps_a_range_that_touches_either_end_and_not_one_that_stops_just_short()
    {
        var span = new SegmentSpan("k", Name(10), Name(12), Sha);
        // Same time, the neighbouring publish ids: only the id separates them from the span's ends.
        var justBefore = Name(10, '9');
        var justAfter = Name(12, 'b');

        Assert.True(span.Overlaps(Name(8), Name(10)));
        Assert.True(span.Overlaps(Name(12), Name(14)));
        Assert.True(span.Overlaps(Name(11), Name(11)));
        Assert.True(span.Overlaps(Name(8), Name(14)));
        Assert.False(span.Overlaps(Name(8), justBefore));
        Assert.False(span.Overlaps(justAfter, Name(14)));
        Assert.False(span.Overlaps(Name(8), Name(9)));
        Assert.False(span.Overlaps(Name(13), Name(14)));
    }
}
