using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Release;
using Platform.Testing;
using Platformctl.Secrets;

namespace Platformctl.Tests.Secrets;

/// <summary>SECRET_ROTATED through a real sidecar (the harness on components/local_parity) lands in the object store.</summary>
public sealed class SidecarFactSinkTests
{
    [Fact]
    public async Task The_fact_is_stored_write_once_under_its_run_and_fact_id()
    {
        // obsgov's sidecar: objectstore and eb-governance-out are in every app's scope.
        await using var sidecar = await HarnessInstance.StartAsync(PlatformNames.AppIds.Governance);
        var runtime = new PlatformRuntime(RotationFacts.SourceComponent, PlatformEnvironment.LocalParity, ServiceRelease.Parse("0123456789abcdef0123456789abcdef01234567"));
        var runId = Platform.Substrate.Pinning.PlatformRunId.Mint(DateTimeOffset.UtcNow);
        var fact = RotationFacts.SecretRotated(
            "api-keys", $"producer@{Guid.NewGuid():N}", "added", "sha256:0011223344556677", [],
            new GovernanceActor("HUMAN::tester", Platform.Substrate.Identity.SourceType.Human, RotationFacts.SourceComponent), runId, runtime, DateTimeOffset.UtcNow);

        var where = await new SidecarFactSink(sidecar.Client).RecordAsync(fact, CancellationToken.None);

        var stored = await new DaprObjectStore(sidecar.Client).GetAsync(GovernanceFactEmitter.ObjectKey(runId, fact.FactId), CancellationToken.None);
        Assert.NotNull(stored);
        using var json = JsonDocument.Parse(stored);
        Assert.Equal(fact.FactId, json.RootElement.GetProperty("fact_id").GetString());
        Assert.Equal("SECRET_ROTATED", json.RootElement.GetProperty("fact_type").GetString());
        Assert.Contains("recorded through the sidecar", where, StringComparison.Ordinal);
    }
}
