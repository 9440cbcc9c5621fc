using System.Text;
using Dapr;
using Dapr.Client;
using Platform.Testing;

namespace DaprHarness.Tests.Bindings;

/// <summary>
/// The real components/local_parity set (secret store, state stores, Resiliency, config.yaml) loads for app ig,
/// and its objectstore and eb-traffic-out bindings work as declared there. No record is published: the stream is
/// the one the local platform itself uses.
/// </summary>
public sealed class LocalParityBindingTests
{
    [Fact]
    public async Task The_ig_sidecar_loads_objectstore_and_eb_traffic_out_from_local_parity()
    {
        await using var ig = await HarnessInstance.StartAsync("ig");
        var key = $"binding-tests/{Guid.NewGuid():N}/local-parity.json";

        // objectstore takes its s3rver keys from the secret store through secretKeyRef.
        var create = new BindingRequest("objectstore", "create") { Data = Encoding.UTF8.GetBytes("{\"ok\":true}") };
        create.Metadata["key"] = key;
        await ig.Client.InvokeBindingAsync(create);
        var get = new BindingRequest("objectstore", "get");
        get.Metadata["key"] = key;
        Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString((await ig.Client.InvokeBindingAsync(get)).Data.Span));
        var delete = new BindingRequest("objectstore", "delete");
        delete.Metadata["key"] = key;
        await ig.Client.InvokeBindingAsync(delete);

        var error = await Assert.ThrowsAsync<DaprException>(() => ig.Client.InvokeBindingAsync(new BindingRequest("eb-traffic-out", "get")));
        S3BindingConformanceTests.AssertBindingError(error,
            "error invoking output binding eb-traffic-out: binding eb-traffic-out does not support operation get. supported operations:create");

        // eb-traffic-in-ofs is scoped to ofs, so ig's sidecar has no such binding.
        var notLoaded = await Assert.ThrowsAsync<DaprException>(() => ig.Client.InvokeBindingAsync(new BindingRequest("eb-traffic-in-ofs", "create")));
        S3BindingConformanceTests.AssertBindingError(notLoaded,
            "error invoking output binding eb-traffic-in-ofs: couldn't find output binding eb-traffic-in-ofs");
    }
}
