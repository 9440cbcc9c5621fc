using ModelFactory.Domain;

namespace ModelFactory.Tests.Domain;

public sealed class TimeSplitTests
{
    [Fact]
    public void Train_holds_the_earliest_rows_and_eval_the_rest_whatever_the_input_order()
    {
        // Ten rows at t = 0..9 s, given newest first.
        var rows = Enumerable.Range(0, 10).Reverse().Select(i => Synthetic.Row($"e{i}", i * 1_000_000L, i % 2 == 0)).ToList();

        var (train, eval, record) = TimeSplit.Split(Synthetic.Dataset(rows), 0.7);

        Assert.Equal(["e0", "e1", "e2", "e3", "e4", "e5", "e6"], Enumerable.Range(0, train.Count).Select(train.EventId));
        Assert.Equal(["e7", "e8", "e9"], Enumerable.Range(0, eval.Count).Select(eval.EventId));
        Assert.Equal("1970-01-01T00:00:07.000000Z", record.SplitTsUtc);
        Assert.Equal((7L, 4L, 3L, 1L), (record.TrainRows, record.TrainPositives, record.EvalRows, record.EvalPositives));
    }

    [Fact]
    public void Rows_sharing_the_split_instant_all_go_to_eval()
    {
        // Rows 5..7 share t = 5 s; the 70 % cut falls on one of them.
        var rows = Enumerable.Range(0, 10).Select(i => Synthetic.Row($"e{i}", i is 6 or 7 ? 5_000_000L : i * 1_000_000L, false)).ToList();

        var (train, eval, record) = TimeSplit.Split(Synthetic.Dataset(rows), 0.7);

        Assert.Equal(5, train.Count);
        Assert.Equal(5, eval.Count);
        Assert.True(Enumerable.Range(0, train.Count).All(i => train.TsUtcMicros(i) < 5_000_000L));
        Assert.Equal("1970-01-01T00:00:05.000000Z", record.SplitTsUtc);
    }

    [Fact]
    public void A_split_with_nothing_before_the_cut_is_refused()
    {
        var rows = Enumerable.Range(0, 4).Select(i => Synthetic.Row($"e{i}", 0, i == 0)).ToList();
        Assert.Throws<ArgumentException>(() => TimeSplit.Split(Synthetic.Dataset(rows), 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSplit.Split(Synthetic.Dataset(rows), 1.0));
    }
}
