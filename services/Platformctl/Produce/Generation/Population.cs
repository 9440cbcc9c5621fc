namespace Platformctl.Produce.Generation;

public sealed record Account(string AccountId, CountryProfile Home, IReadOnlyList<string> Cards, IReadOnlyList<string> Devices, double SpendLevel);

/// <summary>A merchant; in-store purchases use its terminal as the session device.</summary>
public sealed record Merchant(string MerchantId, MccProfile Category, CountryProfile Country, bool Online, string TerminalId);

/// <summary>
/// The synthetic customers and merchants of a scenario. Account activity is log-normal (a few accounts transact far
/// more than most); merchant popularity within a category is Zipf-like.
/// </summary>
public sealed class Population
{
    private const double MerchantPopularityExponent = 1.1;

    private readonly Dictionary<string, WeightedTable<Merchant>> byCategory;
    private readonly Dictionary<(string Mcc, string Country), WeightedTable<Merchant>> byCategoryAndCountry;
    private readonly Dictionary<string, IReadOnlyList<Merchant>> campaignPools = new(StringComparer.Ordinal);

    private Population(IReadOnlyList<Account> accounts, WeightedTable<Account> byActivity, IReadOnlyList<Merchant> merchants)
    {
        Accounts = accounts;
        ByActivity = byActivity;
        Merchants = merchants;
        byCategory = merchants
            .GroupBy(m => m.Category.Mcc)
            .ToDictionary(g => g.Key, g => WeightedTable.ByRank(g.ToList(), MerchantPopularityExponent), StringComparer.Ordinal);
        byCategoryAndCountry = merchants
            .GroupBy(m => (m.Category.Mcc, m.Country.Code))
            .ToDictionary(g => g.Key, g => WeightedTable.ByRank(g.ToList(), MerchantPopularityExponent));
    }

    public IReadOnlyList<Account> Accounts { get; }

    /// <summary>Accounts weighted by how often they transact.</summary>
    public WeightedTable<Account> ByActivity { get; }

    public IReadOnlyList<Merchant> Merchants { get; }

    public static Population Build(string scenarioRunId, ScenarioParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var random = DeterministicRandom.Create(scenarioRunId, "population");
        var countries = new WeightedTable<CountryProfile>(TrafficModel.Countries.Select(c => (c, c.PopulationShare)));
        var categories = new WeightedTable<MccProfile>(TrafficModel.Categories.Select(c => (c, c.TrafficShare)));

        var accounts = new List<Account>(parameters.Accounts);
        var activity = new List<(Account, double)>(parameters.Accounts);
        for (var i = 0; i < parameters.Accounts; i++)
        {
            var cardCount = random.Chance(0.7) ? 1 : random.Chance(0.83) ? 2 : 3;
            var deviceCount = random.Between(1, 3);
            var account = new Account(
                "acct_" + random.NextHexId(),
                countries.Sample(random),
                Enumerable.Range(0, cardCount).Select(_ => "card_" + random.NextHexId()).ToList(),
                Enumerable.Range(0, deviceCount).Select(_ => "dev_" + random.NextHexId()).ToList(),
                random.LogNormal(1.0, 0.35));
            accounts.Add(account);
            activity.Add((account, random.LogNormal(1.0, 1.0)));
        }

        var merchants = new List<Merchant>(parameters.Merchants);
        for (var i = 0; i < parameters.Merchants; i++)
        {
            // One merchant per category first, so every category (and every campaign's pool) has somewhere to go.
            var category = i < TrafficModel.Categories.Count ? TrafficModel.Categories[i] : categories.Sample(random);
            var id = random.NextHexId();
            merchants.Add(new Merchant("mer_" + id, category, countries.Sample(random), random.Chance(category.OnlineShare), "pos_" + id));
        }

        return new Population(accounts, new WeightedTable<Account>(activity), merchants);
    }

    /// <summary>A merchant of the category, in <paramref name="country"/> when it has one and <paramref name="domestic"/> is asked.</summary>
    public Merchant MerchantFor(MccProfile category, string country, bool domestic, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(category);
        return domestic && byCategoryAndCountry.TryGetValue((category.Mcc, country), out var local)
            ? local.Sample(random)
            : byCategory[category.Mcc].Sample(random);
    }

    /// <summary>The merchants of the given categories, online ones first choice (campaigns work card-not-present).</summary>
    public IReadOnlyList<Merchant> CampaignPool(IReadOnlyList<string> mccs)
    {
        ArgumentNullException.ThrowIfNull(mccs);
        var key = string.Join(',', mccs);
        if (!campaignPools.TryGetValue(key, out var pool))
        {
            var inCategories = Merchants.Where(m => mccs.Contains(m.Category.Mcc)).ToList();
            var online = inCategories.Where(m => m.Online).ToList();
            pool = online.Count > 0 ? online : inCategories;
            campaignPools.Add(key, pool);
        }

        return pool;
    }
}
