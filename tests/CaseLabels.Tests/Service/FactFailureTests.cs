using System.Net;
using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Governance;
using Platform.Testing;
using static CaseLabels.Tests.Service.Labels;
using static CaseLabels.Tests.TestLabels;

namespace CaseLabels.Tests.Service;

/// <summary>
/// The commit point is the append: when the label's fact cannot be recorded the writer gets a retryable 503, and the
/// retry — a replay, never a second entry — records the fact.
/// </summary>
[Collection(CmServiceCollectionDefinition.Name)]
public sealed class FactFailureTests
{
    [Fact]
    public async Task A_label_whose_fact_failed_is_kept_once_and_the_retry_records_the_fact()
    {
        var flaky = new FlakyFacts();
        await using var sidecar = await HarnessInstance.StartAsync(
            "cm", environment: new Dictionary<string, string> { ["PLATFORM_SECRETS_FILE"] = TestSecrets.FilePath });
        await using var cm = await CmService.StartAsync(sidecar, services: services =>
            services.AddSingleton<IObjectStore>(sp => flaky.Wrap(new DaprObjectStore(sp.GetRequiredService<DaprClient>()))));
        var (run, evt) = (FreshRunId(), Unique("evt"));

        flaky.Failing = true;
        var failed = await cm.Client("feed").PostLabelAsync(AssertionJson(run, evt));
        var afterFailure = await cm.Client("operator").TimelineAsync(run, evt);
        flaky.Failing = false;
        var retried = await cm.Client("feed").PostLabelAsync(AssertionJson(run, evt));

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable, failed.ToString());
        Assert.Equal("application/problem+json", failed.ContentType);
        var record = Assert.Single(afterFailure);
        Assert.Equal(("ACCEPTED", "REPLAY"), (retried.Str("status"), retried.Str("reason_code")));
        Assert.Equal(record.GetProperty("label_assertion_id").GetString(), retried.Str("label_assertion_id"));
        Assert.Single(await cm.Client("operator").TimelineAsync(run, evt));
        Assert.NotNull(await FactAsync(GovernanceFactType.LabelAccepted, run, "accepted:" + retried.Str("label_assertion_id")));
    }

    /// <summary>Fails every governance-fact write while <see cref="Failing"/> is set; everything else passes through.</summary>
    private sealed class FlakyFacts
    {
        public volatile bool Failing;

        public IObjectStore Wrap(IObjectStore inner) => new Store(inner, this);

        private sealed class Store(IObjectStore inner, FlakyFacts owner) : IObjectStore
        {
            public Task<ObjectWriteOutcome> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
                owner.Failing && key.Contains("/obs/governance/", StringComparison.Ordinal)
                    ? throw new IOException("object store unavailable (injected)")
                    : inner.CreateIfAbsentAsync(key, content, contentType, cancellationToken);

            public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

            public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);

            public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

            public Task<Uri> PresignGetAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken) => inner.PresignGetAsync(key, timeToLive, cancellationToken);
        }
    }
}
