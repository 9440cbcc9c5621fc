using Platformctl.Produce.Contracts;

namespace Platformctl.Produce.Generation;

/// <summary>
/// The endless, time-ordered stream of transactions of a scenario: legit traffic merged with the fraud campaigns.
/// Legit arrivals are a Poisson process thinned by each account's local hour (the diurnal curve); campaign instances
/// start as Poisson processes of their own and their transactions wait in a queue until nothing earlier can appear.
/// </summary>
public sealed class TrafficGenerator(string scenarioRunId, ScenarioParameters parameters, Population population)
{
    private const double SecondsPerDay = 86_400;

    private delegate IEnumerable<PlannedTransaction> Expand(Population population, DeterministicRandom random, DateTimeOffset start, long instance);

    public IEnumerable<PlannedTransaction> Transactions()
    {
        var legit = new LegitTraffic(scenarioRunId, parameters, population);
        var schedules = new[]
            {
                new Schedule(scenarioRunId, "account_takeover", parameters.AtoBurstsPerDay, parameters.StartUtc, Campaigns.AccountTakeover),
                new Schedule(scenarioRunId, "merchant_collusion", parameters.CollusionRingsPerDay, parameters.StartUtc, Campaigns.MerchantCollusion),
                new Schedule(scenarioRunId, "card_testing", parameters.CardTestingAttacksPerDay, parameters.StartUtc, Campaigns.CardTesting),
            }
            .Where(s => s.Active)
            .ToList();
        var pending = new PriorityQueue<PlannedTransaction, (long Ticks, long Order)>();
        var order = 0L;
        var nextLegit = legit.Next();
        while (true)
        {
            var due = schedules.Count == 0 ? null : schedules.MinBy(s => s.NextStart);
            var bound = due is null || nextLegit.At < due.NextStart ? nextLegit.At : due.NextStart;
            if (pending.TryPeek(out var queued, out _) && queued.At <= bound)
            {
                yield return pending.Dequeue();
            }
            else if (due is not null && due.NextStart <= nextLegit.At)
            {
                foreach (var planned in due.ExpandNext(population))
                {
                    pending.Enqueue(planned, (planned.At.UtcTicks, order++));
                }
            }
            else
            {
                yield return nextLegit;
                nextLegit = legit.Next();
            }
        }
    }

    /// <summary>When the next instance of one campaign starts, and how to expand it.</summary>
    private sealed class Schedule
    {
        private readonly string scenarioRunId;
        private readonly string name;
        private readonly double meanGapSeconds;
        private readonly Expand expand;
        private readonly DeterministicRandom random;
        private long instance;

        public Schedule(string scenarioRunId, string name, double perDay, DateTimeOffset start, Expand expand)
        {
            this.scenarioRunId = scenarioRunId;
            this.name = name;
            this.expand = expand;
            random = DeterministicRandom.Create(scenarioRunId, name + ".schedule");
            Active = perDay > 0;
            meanGapSeconds = Active ? SecondsPerDay / perDay : 0;
            NextStart = Active ? PlannedTransaction.After(start, random.Exponential(meanGapSeconds)) : DateTimeOffset.MaxValue;
        }

        public bool Active { get; }

        public DateTimeOffset NextStart { get; private set; }

        /// <summary>The transactions of the instance starting at <see cref="NextStart"/>; moves to the next instance.</summary>
        public List<PlannedTransaction> ExpandNext(Population population)
        {
            var started = NextStart;
            var current = instance++;
            NextStart = PlannedTransaction.After(started, random.Exponential(meanGapSeconds));
            return expand(population, DeterministicRandom.Create(scenarioRunId, name, current), started, current).ToList();
        }
    }

    /// <summary>Legit card traffic: who buys, where, how much, on which device and from which country.</summary>
    private sealed class LegitTraffic
    {
        private readonly DeterministicRandom random;
        private readonly Population population;
        private readonly DateTimeOffset start;
        private readonly double meanProposalGapSeconds;
        private readonly double peak = TrafficModel.Diurnal.Max();
        private readonly WeightedTable<MccProfile> categories = new(TrafficModel.Categories.Select(c => (c, c.TrafficShare)));
        private double elapsedSeconds;

        public LegitTraffic(string scenarioRunId, ScenarioParameters parameters, Population population)
        {
            random = DeterministicRandom.Create(scenarioRunId, "legit");
            this.population = population;
            start = parameters.StartUtc;
            // Thinning: propose at the peak rate, accept with diurnal(local hour) / peak; the mean rate is then the target.
            var perSecond = parameters.Accounts * parameters.TransactionsPerAccountPerDay / SecondsPerDay;
            meanProposalGapSeconds = TrafficModel.Diurnal.Average() / (perSecond * peak);
        }

        public PlannedTransaction Next()
        {
            while (true)
            {
                elapsedSeconds += random.Exponential(meanProposalGapSeconds);
                var account = population.ByActivity.Sample(random);
                var utcHour = (start.TimeOfDay.TotalHours + (elapsedSeconds / 3600)) % 24;
                var localHour = (int)((utcHour + account.Home.UtcOffsetHours + 24) % 24);
                if (random.NextDouble() * peak < TrafficModel.Diurnal[localHour])
                {
                    return Purchase(account, PlannedTransaction.After(start, elapsedSeconds));
                }
            }
        }

        private PlannedTransaction Purchase(Account account, DateTimeOffset at)
        {
            var category = categories.Sample(random);
            var merchant = population.MerchantFor(category, account.Home.Code, random.Chance(TrafficModel.DomesticShare), random);
            var card = random.Pick(account.Cards);
            var amount = PlannedTransaction.FromUsd(random.LogNormal(category.MedianUsd * account.SpendLevel, category.Sigma), merchant.Country);
            if (!merchant.Online)
            {
                // In store: the session is the terminal's, located where the merchant is.
                return new PlannedTransaction(
                    at, TimeSpan.FromSeconds(random.Uniform(5, 120)), account, card, merchant, PaymentChannel.CardPresent,
                    merchant.TerminalId, merchant.Country.Code, amount, Campaign.Legit, 0);
            }

            var channel = random.Chance(0.75) ? PaymentChannel.Ecommerce : PaymentChannel.CardNotPresent;
            var device = random.Chance(TrafficModel.LegitNewDeviceShare) ? "dev_" + random.NextHexId() : random.Pick(account.Devices);
            var ipCountry = random.Chance(TrafficModel.LegitForeignIpShare)
                ? random.Pick(TrafficModel.Countries.Where(c => c != account.Home).ToList()).Code
                : account.Home.Code;
            return new PlannedTransaction(
                at, TimeSpan.FromSeconds(random.Uniform(30, 600)), account, card, merchant, channel, device, ipCountry, amount, Campaign.Legit, 0);
        }
    }
}
