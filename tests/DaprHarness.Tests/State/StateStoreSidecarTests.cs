using Dapr;
using DaprHarness.Components;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;

namespace DaprHarness.Tests.State;

/// <summary>
/// State behaviour that depends on which app a sidecar runs for and how its stores are configured: scopes, key
/// prefixes, restarts, the actor state store. Sources: dapr/dapr release-1.17 pkg/api/universal/state_query.go
/// (GetStateStore), pkg/api/errors/state.go, pkg/components/state/state_config.go, pkg/runtime/processor/state/state.go.
/// </summary>
public sealed class StateStoreSidecarTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string NewKey(string label) => $"{label}-{Guid.NewGuid():N}";

    // The unmodified components/local_parity set (connection string through the secret store, every other
    // component loaded too), as daprd would load it for ig.
    [Fact]
    public async Task Real_local_parity_set_serves_ig_admission()
    {
        await using var ig = await HarnessInstance.StartAsync("ig");
        var key = NewKey("local-parity");
        await ig.Client.SaveStateAsync("ig-admission", key, new Admission("lp", 1));

        Assert.Equal(new Admission("lp", 1), await ig.Client.GetStateAsync<Admission>("ig-admission", key));
        Assert.NotNull(await StateTestResources.RawRowAsync("ig_admission_state", $"ig||{key}"));
    }

    // Component scopes: cm's sidecar does not load ig-admission, so for cm it does not exist (RT NotFound).
    [Fact]
    public async Task Out_of_scope_store_is_not_found_for_that_app()
    {
        await using var cm = await HarnessInstance.StartAsync("cm", StateTestResources.LocalParityStateStoresPath);

        var e = await Assert.ThrowsAsync<DaprException>(() => cm.Client.SaveStateAsync("ig-admission", NewKey("scope"), new Admission("a", 1)));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state store ig-admission is not found", rpc.Status.Detail);

        // Its own store works.
        var key = NewKey("cm-own");
        await cm.Client.SaveStateAsync("cm-store", key, new Admission("cm", 1));
        Assert.Equal(new Admission("cm", 1), await cm.Client.GetStateAsync<Admission>("cm-store", key));
    }

    // GetStateStore with no state store loaded at all: FailedPrecondition "state store X is not configured".
    [Fact]
    public async Task App_without_any_state_store_gets_not_configured()
    {
        await using var obsgov = await HarnessInstance.StartAsync("obsgov", StateTestResources.LocalParityStateStoresPath);

        var e = await Assert.ThrowsAsync<DaprException>(() => obsgov.Client.GetStateAsync<Admission>("ig-admission", "k"));
        var rpc = Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(StatusCode.FailedPrecondition, rpc.StatusCode);
        Assert.Equal("state store ig-admission is not configured", rpc.Status.Detail);
    }

    // Default keyPrefix appid: two apps on one store each see only their own "<appId>||<key>" rows.
    [Fact]
    public async Task Apps_sharing_a_store_do_not_see_each_others_keys()
    {
        var prefix = StateTestResources.UniquePrefix("iso");
        var resources = _files.Resources(("shared.yaml", StateTestResources.PostgresStore("shared-state", prefix, ["iso-a", "iso-b"])));
        try
        {
            await using var a = await HarnessInstance.StartAsync("iso-a", resources);
            await using var b = await HarnessInstance.StartAsync("iso-b", resources);
            var key = NewKey("iso");

            await a.Client.SaveStateAsync("shared-state", key, new Admission("from-a", 1));
            Assert.Null(await b.Client.GetStateAsync<Admission>("shared-state", key));
            await b.Client.SaveStateAsync("shared-state", key, new Admission("from-b", 2));
            Assert.Equal(new Admission("from-a", 1), await a.Client.GetStateAsync<Admission>("shared-state", key));

            Assert.NotNull(await StateTestResources.RawRowAsync(prefix + "state", $"iso-a||{key}"));
            Assert.NotNull(await StateTestResources.RawRowAsync(prefix + "state", $"iso-b||{key}"));
            Assert.Null(await StateTestResources.RawRowAsync(prefix + "state", key));
        }
        finally
        {
            await StateTestResources.DropStoreAsync(prefix);
        }
    }

    // state_config.go GetModifiedStateKey: name → "<store>||k", none → "k", any other value → "<value lower-cased>||k".
    [Theory]
    [InlineData("name", "prefixed-store||{0}")]
    [InlineData("none", "{0}")]
    [InlineData("appid", "pfx-app||{0}")]
    [InlineData("Shared-Prefix", "shared-prefix||{0}")]
    public async Task Key_prefix_strategy_decides_the_stored_key(string keyPrefix, string storedKeyFormat)
    {
        var prefix = StateTestResources.UniquePrefix("kp");
        var resources = _files.Resources(("store.yaml",
            StateTestResources.PostgresStore("prefixed-store", prefix, [], ("keyPrefix", keyPrefix))));
        try
        {
            await using var app = await HarnessInstance.StartAsync("pfx-app", resources);
            var key = NewKey("kp");
            await app.Client.SaveStateAsync("prefixed-store", key, new Admission("v", 1));

            var storedKey = string.Format(System.Globalization.CultureInfo.InvariantCulture, storedKeyFormat, key);
            Assert.NotNull(await StateTestResources.RawRowAsync(prefix + "state", storedKey));
            var bulk = await app.Client.GetBulkStateAsync<Admission>("prefixed-store", [key], null);
            Assert.Equal(key, Assert.Single(bulk).Key);
        }
        finally
        {
            await StateTestResources.DropStoreAsync(prefix);
        }
    }

    // keyPrefix "name": apps share keys through the store name.
    [Fact]
    public async Task Name_key_prefix_lets_apps_share_keys()
    {
        var prefix = StateTestResources.UniquePrefix("share");
        var resources = _files.Resources(("shared.yaml",
            StateTestResources.PostgresStore("shared-by-name", prefix, ["share-a", "share-b"], ("keyPrefix", "name"))));
        try
        {
            await using var a = await HarnessInstance.StartAsync("share-a", resources);
            await using var b = await HarnessInstance.StartAsync("share-b", resources);
            var key = NewKey("shared");

            await a.Client.SaveStateAsync("shared-by-name", key, new Admission("from-a", 1));
            var (value, etag) = await b.Client.GetStateAndETagAsync<Admission>("shared-by-name", key);
            Assert.Equal(new Admission("from-a", 1), value);
            Assert.True(await b.Client.TrySaveStateAsync("shared-by-name", key, new Admission("from-b", 2), etag));
            Assert.False(await a.Client.TrySaveStateAsync("shared-by-name", key, new Admission("from-a", 3), etag));
        }
        finally
        {
            await StateTestResources.DropStoreAsync(prefix);
        }
    }

    // State lives in PostgreSQL, not in the sidecar: a restarted sidecar reads back everything, ETags included.
    [Fact]
    public async Task Restart_loses_no_state()
    {
        await using var ig = await HarnessInstance.StartAsync("ig", StateTestResources.LocalParityStateStoresPath);
        var key = NewKey("restart");
        await ig.Client.SaveStateAsync("ig-admission", key, new Admission("durable", 7));
        var (_, etag) = await ig.Client.GetStateAndETagAsync<Admission>("ig-admission", key);

        await ig.RestartAsync();

        Assert.Equal((new Admission("durable", 7), etag), await ig.Client.GetStateAndETagAsync<Admission>("ig-admission", key));
        Assert.True(await ig.Client.TrySaveStateAsync("ig-admission", key, new Admission("durable", 8), etag));
    }

    // workflow-state (actorStateStore "true") for ofs: a normal state store to the app, and the sidecar's actor state
    // store (IActorStateStore) whose database holds the harness's own tables.
    [Fact]
    public async Task Workflow_state_is_the_actor_state_store_of_ofs()
    {
        await using var ofs = await HarnessInstance.StartAsync("ofs", StateTestResources.LocalParityStateStoresPath);
        var key = NewKey("wf");
        await ofs.Client.SaveStateAsync("workflow-state", key, new Admission("wf", 1));
        Assert.Equal(new Admission("wf", 1), await ofs.Client.GetStateAsync<Admission>("workflow-state", key));
        Assert.NotNull(await StateTestResources.RawRowAsync("workflow_state_state", $"ofs||{key}"));

        // Without HARNESS_POSTGRES_CONNECTION, so the harness's own tables go to the actor state store's database.
        await using var host = await HarnessHost.BuildAsync(
            HarnessInstance.DaprdArgs("ofs", FreePort.Next(), FreePort.Next(), StateTestResources.LocalParityStateStoresPath, null),
            name => BackendEnvironment.Current.Values.GetValueOrDefault(name));
        var registry = host.Services.GetRequiredService<HarnessRuntime>().Components;
        var actorStore = Assert.Single(registry.OfKind<IActorStateStore>());
        Assert.Equal("workflow-state", actorStore.Name);
        Assert.Contains("ACTOR", actorStore.Capabilities);
        await registry.DisposeAsync();
    }
}
