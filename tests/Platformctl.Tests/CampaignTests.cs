using Platformctl.Produce.Contracts;
using Platformctl.Produce.Generation;

namespace Platformctl.Tests;

/// <summary>
/// The traffic model over about a week of simulated time per seed. With the default parameters (2,000 accounts at
/// 2 transactions a day; per day 4 account takeovers of 3-8 transactions, 1 collusion ring of 20-50 and 2 card-testing
/// attacks of 16-41), about 2.7% of transactions are fraudulent; the documented band is 1.25%-4.5%.
/// </summary>
public sealed class CampaignTests
{
    public static TheoryData<long> Seeds => [1, 42, 2026];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Fraud_rate_is_within_the_documented_band_and_every_campaign_recurs(long seed)
    {
        var flows = TestScenarios.Flows(seed);
        var fraud = flows.Where(f => f.Truth.IsFraud).ToList();
        var share = (double)fraud.Count / flows.Count;

        Assert.InRange(share, 0.0125, 0.045);
        foreach (var campaign in new[] { Campaign.AccountTakeover, Campaign.MerchantCollusion, Campaign.CardTesting })
        {
            var instances = Instances(flows, campaign).Count;
            Assert.True(instances >= 3, $"{campaign}: only {instances} instances in a week");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Campaigns_are_interleaved_with_legit_traffic_not_appended(long seed)
    {
        var flows = TestScenarios.Flows(seed);
        var positions = flows.Select((f, i) => (f, i)).Where(x => x.f.Truth.IsFraud).Select(x => x.i).ToList();

        Assert.True(positions[0] < flows.Count / 4, $"first fraud at {positions[0]}");
        Assert.True(positions[^1] > flows.Count * 3 / 4, $"last fraud at {positions[^1]}");
        Assert.True(flows.Count(f => !f.Truth.IsFraud) > flows.Count * 0.9);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Account_takeover_is_a_rapid_high_value_burst_from_a_new_device_abroad(long seed)
    {
        var flows = TestScenarios.Flows(seed);
        var legitMedianUsd = TestScenarios.Median(flows.Where(f => !f.Truth.IsFraud).Select(f => TestScenarios.UsdAmount(f.Truth)));
        foreach (var burst in Instances(flows, Campaign.AccountTakeover).Values)
        {
            var victim = burst[0].Account;
            Assert.InRange(burst.Count, 3, 8);
            Assert.All(burst, t => Assert.Same(victim, t.Account));
            Assert.Single(burst.Select(t => t.DeviceId).Distinct());
            Assert.DoesNotContain(burst[0].DeviceId, victim.Devices);
            Assert.All(burst, t => Assert.Contains(t.IpCountry, TrafficModel.AttackOrigins));
            Assert.All(burst, t => Assert.NotEqual(victim.Home.Code, t.IpCountry));
            Assert.All(burst, t => Assert.NotEqual(PaymentChannel.CardPresent, t.Channel));
            Assert.True(burst[^1].At - burst[0].At <= TimeSpan.FromMinutes(7 * 3), "a burst spans minutes, not hours");
            Assert.True(TestScenarios.Median(burst.Select(TestScenarios.UsdAmount)) > 4 * legitMedianUsd);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Merchant_collusion_pushes_many_mid_value_payments_from_a_card_ring_through_few_merchants(long seed)
    {
        foreach (var ring in Instances(TestScenarios.Flows(seed), Campaign.MerchantCollusion).Values)
        {
            Assert.InRange(ring.Count, 20, 50);
            Assert.InRange(ring.Select(t => t.Merchant.MerchantId).Distinct().Count(), 1, 3);
            Assert.InRange(ring.Select(t => t.CardId).Distinct().Count(), 3, 12);
            Assert.True(ring.Select(t => t.Account.AccountId).Distinct().Count() >= 3, "a ring spreads over several accounts");
            Assert.InRange(ring.Select(t => t.DeviceId).Distinct().Count(), 1, 2);
            Assert.All(ring, t => Assert.Equal(PaymentChannel.CardNotPresent, t.Channel));
            Assert.All(ring, t => Assert.InRange(TestScenarios.UsdAmount(t), 60, 1_000));
            Assert.True(ring[^1].At - ring[0].At <= TimeSpan.FromHours(8));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Card_testing_tries_many_cards_for_tiny_amounts_at_one_merchant_then_cashes_one_out(long seed)
    {
        foreach (var attack in Instances(TestScenarios.Flows(seed), Campaign.CardTesting).Values)
        {
            var tests = attack[..^1];
            var cashOut = attack[^1];
            Assert.InRange(tests.Count, 15, 40);
            Assert.Single(tests.Select(t => t.Merchant.MerchantId).Distinct());
            Assert.Equal(tests.Count, tests.Select(t => t.CardId).Distinct().Count());
            Assert.All(tests, t => Assert.Equal(PaymentChannel.CardNotPresent, t.Channel));
            Assert.All(tests, t => Assert.InRange(t.Amount, 0.5m, 2.99m));
            Assert.Contains(cashOut.CardId, tests.Select(t => t.CardId));
            Assert.True(cashOut.At > tests[^1].At);
            Assert.True(TestScenarios.UsdAmount(cashOut) > 200, $"cash-out of {TestScenarios.UsdAmount(cashOut)} USD");
        }
    }

    [Fact]
    public void Legit_amounts_follow_their_category_and_traffic_follows_the_clock()
    {
        var legit = TestScenarios.Flows(42).Where(f => !f.Truth.IsFraud).Select(f => f.Truth).ToList();
        double MedianOf(string mcc) => TestScenarios.Median(legit.Where(t => t.Merchant.Category.Mcc == mcc).Select(TestScenarios.UsdAmount));

        Assert.True(MedianOf("4511") > MedianOf("5411"), "airline tickets cost more than groceries");
        Assert.True(MedianOf("5411") > MedianOf("5815"), "groceries cost more than digital goods");
        // Heavy tail: the 99th percentile is far above the median.
        var usd = legit.Select(TestScenarios.UsdAmount).Order().ToList();
        Assert.True(usd[(int)(usd.Count * 0.99)] > 8 * usd[usd.Count / 2]);

        // Diurnal rhythm in the accounts' local time: nights are much quieter than the lunch and evening peaks.
        var byLocalHour = legit
            .GroupBy(t => (int)((t.At.UtcDateTime.TimeOfDay.TotalHours + t.Account.Home.UtcOffsetHours + 24) % 24))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byLocalHour[12] > 8 * byLocalHour[3], $"noon {byLocalHour[12]} vs 3am {byLocalHour[3]}");

        // Most purchases happen at home; the rest is travel and foreign e-commerce.
        var domestic = legit.Count(t => t.Merchant.Country == t.Account.Home) / (double)legit.Count;
        Assert.InRange(domestic, 0.8, 0.97);
    }

    /// <summary>
    /// The instances of a campaign that are complete in the generated prefix: one that starts in its last 12 hours
    /// (longer than any campaign lasts) may be cut short by the end of the run.
    /// </summary>
    private static Dictionary<long, List<PlannedTransaction>> Instances(IReadOnlyList<GeneratedFlow> flows, Campaign campaign)
    {
        var complete = flows[^1].Truth.At - TimeSpan.FromHours(12);
        return flows.Where(f => f.Truth.Campaign == campaign)
            .GroupBy(f => f.Truth.CampaignInstance)
            .Where(g => g.First().Truth.At < complete)
            .ToDictionary(g => g.Key, g => g.Select(f => f.Truth).ToList());
    }
}
