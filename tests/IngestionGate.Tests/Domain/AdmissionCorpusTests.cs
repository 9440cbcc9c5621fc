using IngestionGate.Domain;
using IngestionGate.Tests.Corpus;

namespace IngestionGate.Tests.Domain;

/// <summary>Every <c>level: domain</c> case of the admission corpus gets exactly its expected answer from the evaluator.</summary>
public sealed class AdmissionCorpusTests
{
    private static readonly int[] Statuses = [200, 400, 401, 403, 409, 413, 415];

    public static TheoryData<string> DomainCases => AdmissionCorpus.NamesAt(AdmissionCorpus.DomainLevel);

    [Theory]
    [MemberData(nameof(DomainCases))]
    public void The_evaluator_answers_each_domain_case_as_expected(string name)
    {
        var @case = AdmissionCorpus.Named(name);
        var outcome = TestPolicy.Evaluator.Evaluate(@case.BodyBytes(), CorpusActors.ByApiKey[@case.ApiKey]);
        var expect = @case.Expect;

        switch (outcome)
        {
            case Malformed:
                Assert.Equal(400, expect.Status);
                break;
            case Forbidden forbidden:
                Assert.Equal(403, expect.Status);
                Assert.Equal(expect.EventClass, forbidden.EventClass);
                break;
            case Quarantine quarantine:
                Assert.Equal((200, "QUARANTINE"), (expect.Status, expect.Decision));
                Assert.Equal(expect.ReasonCodes, quarantine.ReasonCodes);
                break;
            case Admissible admissible:
                Assert.Equal((200, "ADMIT"), (expect.Status, expect.Decision));
                Assert.Equal(expect.ReasonCodes, admissible.ReasonCodes);
                break;
            default:
                Assert.Fail($"Unexpected outcome {outcome}");
                break;
        }
    }

    [Fact]
    public void The_corpus_has_at_least_100_uniquely_named_cases()
    {
        Assert.True(AdmissionCorpus.All.Count >= 100, $"only {AdmissionCorpus.All.Count} cases");
        Assert.Equal(AdmissionCorpus.All.Count, AdmissionCorpus.All.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_case_is_well_formed_for_the_service_replay()
    {
        foreach (var @case in AdmissionCorpus.All)
        {
            Assert.True(@case.Level is AdmissionCorpus.DomainLevel or AdmissionCorpus.HttpLevel, @case.Name);
            Assert.True(@case.Endpoint is "single" or "batch", @case.Name);
            Assert.True(@case.PolicyRev is "none" or "active" or "stale" or "malformed", @case.Name);
            Assert.True(CorpusActors.ByApiKey.ContainsKey(@case.ApiKey) || CorpusActors.Unauthenticated.Contains(@case.ApiKey), @case.Name);
            Assert.True((@case.Body is null) != (@case.BodyBase64 is null), @case.Name);
            Assert.Contains(@case.Expect.Status, Statuses);
            Assert.Equal(@case.Expect.Status == 200 && @case.Expect.Items is null, @case.Expect.Decision is not null);
            Assert.True(@case.Expect.ReasonCodes?.All(ReasonCode.All.Contains) ?? true, @case.Name);
            Assert.True(@case.Expect.Status != 403 || @case.Expect.EventClass is not null, @case.Name);
        }
    }

    [Fact]
    public void Domain_cases_carry_only_what_the_evaluator_decides()
    {
        foreach (var @case in AdmissionCorpus.All.Where(c => c.Level == AdmissionCorpus.DomainLevel))
        {
            Assert.True(@case is { Endpoint: "single", ContentType: "application/json", PolicyRev: "none", Pad: null, BatchRepeat: null, Before: null }, @case.Name);
            Assert.True(CorpusActors.ByApiKey.ContainsKey(@case.ApiKey), @case.Name);
        }
    }

    [Fact]
    public void The_corpus_covers_every_request_error_and_every_reason_the_evaluator_can_reach()
    {
        var statuses = AdmissionCorpus.All.Select(c => c.Expect.Status).ToHashSet();
        Assert.Equal(Statuses.Order(), statuses.Order());

        var reasons = AdmissionCorpus.All.SelectMany(c => c.Expect.ReasonCodes ?? []).ToHashSet(StringComparer.Ordinal);
        var unreachable = new[] { ReasonCode.PartitionKeyMissing, ReasonCode.PublishAmbiguous };
        Assert.Equal(ReasonCode.All.Except(unreachable).Order(StringComparer.Ordinal), reasons.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Admitted_domain_cases_never_share_a_dedupe_key_so_a_replay_sees_no_accidental_duplicates()
    {
        var keys = AdmissionCorpus.All.Where(c => c.Level == AdmissionCorpus.DomainLevel)
            .Select(c => TestPolicy.Evaluator.Evaluate(c.BodyBytes(), CorpusActors.ByApiKey[c.ApiKey]))
            .OfType<Admissible>()
            .Select(a => a.DedupeKey)
            .ToList();
        Assert.NotEmpty(keys);
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }
}
