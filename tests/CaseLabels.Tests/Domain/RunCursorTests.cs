using CaseLabels.Infrastructure;

namespace CaseLabels.Tests.Domain;

public sealed class RunCursorTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 3)]
    [InlineData(255, 123456789012)]
    public void A_cursor_reads_back_as_itself(int bucket, long seq)
    {
        var cursor = new RunCursor(bucket, seq);

        Assert.True(RunCursor.TryParse(cursor.ToString(), out var read), cursor.ToString());
        Assert.Equal(cursor, read);
    }

    [Theory]
    [InlineData("zz.1")]
    [InlineData("1.1")]
    [InlineData("01.-1")]
    [InlineData("01.")]
    [InlineData("0100")]
    public void Anything_else_is_no_cursor(string text) => Assert.False(RunCursor.TryParse(text, out _));

    [Fact]
    public void No_cursor_is_the_start() => Assert.True(RunCursor.TryParse(null, out var start) && start == RunCursor.Start);

    [Fact]
    public void Subjects_spread_over_every_bucket_and_keys_sort_in_bucket_then_seq_order()
    {
        var buckets = Enumerable.Range(0, 20_000).Select(i => LabelStore.BucketOf(new("platform_20261127T213503Z", $"evt-{i}"))).ToHashSet();

        Assert.Equal(LabelStore.RunBuckets, buckets.Count);
        Assert.True(string.CompareOrdinal(LabelStore.RunEntryKey("r", 9, 99), LabelStore.RunEntryKey("r", 10, 0)) < 0);
        Assert.True(string.CompareOrdinal(LabelStore.RunEntryKey("r", 1, 9), LabelStore.RunEntryKey("r", 1, 10)) < 0);
    }
}
