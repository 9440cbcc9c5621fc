using System.Text.Json;
using Amazon.S3;
using Json.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.IntegrationTests.Infrastructure;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;
using Platform.Testing;

namespace Platform.Substrate.IntegrationTests;

/// <summary>
/// obsgov consuming <c>fp.bus.governance.v1</c> through <c>eb-governance-in-obsgov</c>, and app ig emitting facts
/// with <see cref="GovernanceFactEmitter"/> over its objectstore and <c>eb-governance-out</c>.
/// </summary>
public sealed class GovernanceFixture : IAsyncLifetime
{
    private readonly IgSidecar _ig = new();

    internal ConsumerApp Obsgov { get; private set; } = null!;

    public GovernanceFactEmitter Emitter => new(_ig.Objects, _ig.Bus, NullLogger<GovernanceFactEmitter>.Instance);

    public async Task InitializeAsync()
    {
        Obsgov = await ConsumerApp.StartAsync(PlatformNames.AppIds.Governance, [PlatformNames.Streams.Governance]);
        await _ig.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _ig.DisposeAsync();
        await Obsgov.DisposeAsync();
    }
}

public sealed class GovernanceFactTests(GovernanceFixture fixture) : IClassFixture<GovernanceFixture>, IDisposable
{
    private const string Component = "eb-governance-in-obsgov";

    private static readonly PlatformRuntime Ig = new(
        PlatformNames.AppIds.IngestionGate,
        PlatformEnvironment.LocalParity,
        ServiceRelease.Parse("sha256:" + new string('a', 64)),
        new PolicyRev("ig_policy", "r7", new string('b', 64)));

    // Loaded once: JsonSchema.Net registers the schema's $id process-wide.
    private static readonly Lazy<JsonSchema> GovernanceFactSchema = new(
        () => JsonSchema.FromFile(Path.Combine(RepoPaths.Root, "schemas", "governance_fact.v0.schema.json")));

    private readonly AmazonS3Client _s3 = Backends.S3();

    [Fact]
    public async Task A_fact_is_stored_write_once_under_its_run_validates_and_reaches_obsgov_on_every_emit()
    {
        var runId = PlatformRunId.Mint(DateTimeOffset.UtcNow);
        var newDigest = Digests.Of(Guid.NewGuid().ToString());
        var at = DateTimeOffset.UtcNow;
        var fact = PolicyRevChanged(runId, newDigest, at);

        var first = await fixture.Emitter.EmitAsync(fact, CancellationToken.None);

        Assert.Equal(ObjectWriteOutcome.Created, first.Outcome);
        Assert.Equal($"{runId}/obs/governance/{fact.FactId}.json", first.ObjectKey);
        Assert.Equal((PlatformNames.Streams.Governance.StreamName, runId), (first.Published.Stream, first.Published.PartitionKey));
        var stored = await ReadS3Async(first.ObjectKey);
        Assert.Equal(CanonicalJson.Serialize(fact), stored.Bytes);
        Assert.Equal("application/json", stored.ContentType);
        var evaluation = GovernanceFactSchema.Value.Evaluate(
            JsonDocument.Parse(stored.Bytes).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(evaluation.IsValid, JsonSerializer.Serialize(evaluation));

        // Same occurrence again, then again with a later timestamp: the first record stands and is what is published.
        var again = await fixture.Emitter.EmitAsync(fact, CancellationToken.None);
        var later = await fixture.Emitter.EmitAsync(PolicyRevChanged(runId, newDigest, at.AddMinutes(1)), CancellationToken.None);

        Assert.Equal((ObjectWriteOutcome.AlreadyPresent, first.ObjectKey), (again.Outcome, again.ObjectKey));
        Assert.Equal((ObjectWriteOutcome.AlreadyPresent, first.ObjectKey), (later.Outcome, later.ObjectKey));
        var after = await ReadS3Async(first.ObjectKey);
        Assert.Equal(stored.Bytes, after.Bytes);
        Assert.Equal((stored.ETag, stored.LastModified), (after.ETag, after.LastModified));

        await fixture.Obsgov.WaitUntilAsync(a => Delivered(a, fact.FactId).Count >= 3, "three deliveries of the fact");
        var delivered = Delivered(fixture.Obsgov.Attempts, fact.FactId);
        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, d => Assert.Equal((Component, 200, Convert.ToBase64String(stored.Bytes)), (d.Component, d.StatusCode, Convert.ToBase64String(d.Record))));
    }

    public void Dispose() => _s3.Dispose();

    private static GovernanceFact PolicyRevChanged(string runId, string newDigest, DateTimeOffset at) =>
        GovernanceFact.Create(
            GovernanceFactType.PolicyRevChanged,
            GovernanceActor.ForService(Ig),
            new GovernancePins(runId),
            Ig.ProvenanceFor(new string('c', 64)),
            dedupeDetail: newDigest,
            details: new { OldDigest = new string('0', 64), NewDigest = newDigest },
            tsUtc: at);

    private static List<DeliveryAttempt> Delivered(IEnumerable<DeliveryAttempt> attempts, string factId) =>
        [.. attempts.Where(a => FactIdOf(a.Record) == factId)];

    private static string? FactIdOf(byte[] record)
    {
        try
        {
            var root = JsonDocument.Parse(record).RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("fact_id", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<StoredObject> ReadS3Async(string key)
    {
        using var response = await _s3.GetObjectAsync(Backends.Bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return new StoredObject(buffer.ToArray(), response.Headers.ContentType, response.ETag, response.LastModified);
    }

    private sealed record StoredObject(byte[] Bytes, string ContentType, string ETag, DateTime? LastModified);
}
