using Platformctl.Produce.Contracts;

namespace Platformctl.Produce.Generation;

/// <summary>
/// The fraud patterns. Each instance is expanded from its own random stream, so instances never depend on each
/// other or on the legit traffic around them.
/// </summary>
public static class Campaigns
{
    /// <summary>
    /// Account takeover: one victim account, a device it never used, an IP abroad, then 3-8 high-value online
    /// purchases 20 s - 3 min apart.
    /// </summary>
    public static IEnumerable<PlannedTransaction> AccountTakeover(Population population, DeterministicRandom random, DateTimeOffset start, long instance)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(random);
        var victim = random.Pick(population.Accounts);
        var device = "dev_" + random.NextHexId();
        var origin = random.Pick(TrafficModel.AttackOrigins);
        var pool = population.CampaignPool(TrafficModel.AtoMccs);
        var count = random.Between(3, 8);
        var at = start;
        for (var i = 0; i < count; i++)
        {
            at = i == 0 ? at : PlannedTransaction.After(at, random.Uniform(20, 180));
            var merchant = random.Pick(pool);
            yield return new PlannedTransaction(
                at,
                TimeSpan.FromSeconds(random.Uniform(5, 60)),
                victim,
                random.Pick(victim.Cards),
                merchant,
                random.Chance(0.5) ? PaymentChannel.Ecommerce : PaymentChannel.CardNotPresent,
                device,
                origin,
                PlannedTransaction.FromUsd(random.LogNormal(650, 0.45), merchant.Country),
                Campaign.AccountTakeover,
                instance);
        }
    }

    /// <summary>
    /// Merchant collusion: a ring of 6-12 cards (mules spread over many accounts, sharing two devices) pushes 20-50
    /// mid-value card-not-present payments through 2-3 colluding merchants of one country over 2-8 hours.
    /// </summary>
    public static IEnumerable<PlannedTransaction> MerchantCollusion(Population population, DeterministicRandom random, DateTimeOffset start, long instance)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(random);
        var pool = population.CampaignPool(TrafficModel.CollusionMccs);
        var first = random.Pick(pool);
        var sameCountry = pool.Where(m => m.Country == first.Country && m != first).ToList();
        var others = sameCountry.Count > 0 ? sameCountry : pool.Where(m => m != first).ToList();
        var merchants = new List<Merchant> { first };
        var extra = Math.Min(random.Between(1, 2), others.Count);
        while (merchants.Count < 1 + extra)
        {
            var next = random.Pick(others);
            if (!merchants.Contains(next))
            {
                merchants.Add(next);
            }
        }

        var ring = DistinctCards(population, random, random.Between(6, 12));
        string[] devices = ["dev_" + random.NextHexId(), "dev_" + random.NextHexId()];
        var duration = random.Uniform(2, 8) * 3600;
        var offsets = Enumerable.Range(0, random.Between(20, 50)).Select(_ => random.Uniform(0, duration)).Order().ToList();
        foreach (var offset in offsets)
        {
            var (account, card) = random.Pick(ring);
            var merchant = random.Pick(merchants);
            yield return new PlannedTransaction(
                PlannedTransaction.After(start, offset),
                TimeSpan.FromSeconds(random.Uniform(10, 120)),
                account,
                card,
                merchant,
                PaymentChannel.CardNotPresent,
                random.Pick(devices),
                merchant.Country.Code,
                PlannedTransaction.FromUsd(random.LogNormal(240, 0.25), merchant.Country),
                Campaign.MerchantCollusion,
                instance);
        }
    }

    /// <summary>
    /// Card testing: from one device abroad, 15-40 stolen cards each tried for a tiny amount (0.50-2.99 in the
    /// merchant's currency) at one low-value online merchant, seconds apart; 10-90 minutes later one of the tested
    /// cards is cashed out with a large purchase at a high-value merchant.
    /// </summary>
    public static IEnumerable<PlannedTransaction> CardTesting(Population population, DeterministicRandom random, DateTimeOffset start, long instance)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(random);
        var merchant = random.Pick(population.CampaignPool(TrafficModel.CardTestingMccs));
        var device = "dev_" + random.NextHexId();
        var origin = random.Pick(TrafficModel.AttackOrigins);
        var cards = DistinctCards(population, random, random.Between(15, 40));
        var at = start;
        foreach (var (account, card) in cards)
        {
            at = PlannedTransaction.After(at, random.Uniform(2, 15));
            yield return new PlannedTransaction(
                at,
                TimeSpan.FromSeconds(random.Uniform(1, 5)),
                account,
                card,
                merchant,
                PaymentChannel.CardNotPresent,
                device,
                origin,
                PlannedTransaction.LocalAmount(random.Uniform(0.5, 2.99)),
                Campaign.CardTesting,
                instance);
        }

        var (cashOutAccount, cashOutCard) = random.Pick(cards);
        var cashOutMerchant = random.Pick(population.CampaignPool(TrafficModel.CashOutMccs));
        yield return new PlannedTransaction(
            PlannedTransaction.After(at, random.Uniform(600, 5400)),
            TimeSpan.FromSeconds(random.Uniform(5, 60)),
            cashOutAccount,
            cashOutCard,
            cashOutMerchant,
            PaymentChannel.CardNotPresent,
            device,
            origin,
            PlannedTransaction.FromUsd(random.LogNormal(900, 0.3), cashOutMerchant.Country),
            Campaign.CardTesting,
            instance);
    }

    private static List<(Account Account, string Card)> DistinctCards(Population population, DeterministicRandom random, int count)
    {
        var wanted = Math.Min(count, population.Accounts.Count);
        var picked = new List<(Account, string)>(wanted);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (picked.Count < wanted)
        {
            var account = random.Pick(population.Accounts);
            var card = random.Pick(account.Cards);
            if (seen.Add(card))
            {
                picked.Add((account, card));
            }
        }

        return picked;
    }
}
