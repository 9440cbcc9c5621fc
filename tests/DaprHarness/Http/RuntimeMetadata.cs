using System.Text.Encodings.Web;
using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using DaprHarness.Components;

namespace DaprHarness.Http;

/// <summary>
/// The metadata API (pkg/api/universal/metadata.go GetMetadata and pkg/api/http/metadata.go, release-1.17): the
/// same answer over gRPC and as daprd's HTTP JSON.
/// </summary>
public static class RuntimeMetadata
{
    /// <summary>The daprd version the harness emulates; build metadata marks it as the harness.</summary>
    public const string RuntimeVersion = "1.17.0+harness";

    public static GetMetadataResponse Build(HarnessRuntime runtime, ExtendedMetadata extended)
    {
        var response = new GetMetadataResponse
        {
            Id = runtime.Flags.AppId,
            RuntimeVersion = RuntimeVersion,
            AppConnectionProperties = new AppConnectionProperties
            {
                Port = runtime.Flags.AppPort ?? 0,
                Protocol = runtime.Flags.AppProtocol,
                ChannelAddress = runtime.Flags.AppChannelAddress,
                MaxConcurrency = runtime.Flags.AppMaxConcurrency,
            },
            // Without a placement service daprd reports its actor runtime disabled; the harness hosts actors
            // (workflows) itself when an actor state store is loaded.
            ActorRuntime = runtime.Components.OfKind<IActorStateStore>().Any()
                ? new ActorRuntime { RuntimeStatus = ActorRuntime.Types.ActorRuntimeStatus.Running, HostReady = true, Placement = "placement: connected" }
                : new ActorRuntime { RuntimeStatus = ActorRuntime.Types.ActorRuntimeStatus.Disabled, Placement = "placement: disconnected" },
            Workflows = new MetadataWorkflows(),
        };
        response.EnabledFeatures.Add(runtime.Configuration.EnabledFeatures);
        foreach (var (key, value) in extended.Snapshot())
        {
            response.ExtendedMetadata[key] = value;
        }

        // Deprecated, but daprd still sets it.
        response.ExtendedMetadata["daprRuntimeVersion"] = RuntimeVersion;
        foreach (var (definition, component) in runtime.Components.All)
        {
            var registered = new RegisteredComponents { Name = definition.Name, Type = definition.Type, Version = definition.Version };
            registered.Capabilities.Add(component.Capabilities);
            response.RegisteredComponents.Add(registered);
        }

        return response;
    }

    /// <summary>
    /// daprd's HTTP shape: Go's encoding/json of its metadataResponse struct, so empty lists and maps tagged
    /// omitempty disappear while <c>appConnectionProperties</c>, <c>actorRuntime</c> and <c>workflows</c> stay.
    /// </summary>
    public static byte[] ToJson(GetMetadataResponse metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            WriteIfSet(json, "id", metadata.Id);
            WriteIfSet(json, "runtimeVersion", metadata.RuntimeVersion);
            WriteIfAny(json, "enabledFeatures", metadata.EnabledFeatures);

            if (metadata.RegisteredComponents.Count > 0)
            {
                json.WriteStartArray("components");
                foreach (var component in metadata.RegisteredComponents)
                {
                    json.WriteStartObject();
                    WriteIfSet(json, "name", component.Name);
                    WriteIfSet(json, "type", component.Type);
                    WriteIfSet(json, "version", component.Version);
                    WriteIfAny(json, "capabilities", component.Capabilities);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (metadata.ExtendedMetadata.Count > 0)
            {
                json.WriteStartObject("extended");
                foreach (var (key, value) in metadata.ExtendedMetadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            var app = metadata.AppConnectionProperties;
            json.WriteStartObject("appConnectionProperties");
            if (app.Port != 0)
            {
                json.WriteNumber("port", app.Port);
            }

            WriteIfSet(json, "protocol", app.Protocol);
            WriteIfSet(json, "channelAddress", app.ChannelAddress);
            if (app.MaxConcurrency != 0)
            {
                json.WriteNumber("maxConcurrency", app.MaxConcurrency);
            }

            json.WriteEndObject();

            json.WriteStartObject("actorRuntime");
            json.WriteString("runtimeStatus", metadata.ActorRuntime.RuntimeStatus.ToString().ToUpperInvariant());
            json.WriteBoolean("hostReady", metadata.ActorRuntime.HostReady);
            WriteIfSet(json, "placement", metadata.ActorRuntime.Placement);
            json.WriteEndObject();

            json.WriteStartObject("workflows");
            if (metadata.Workflows.ConnectedWorkers != 0)
            {
                json.WriteNumber("connectedWorkers", metadata.Workflows.ConnectedWorkers);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string value)
    {
        if (value.Length > 0)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteIfAny(Utf8JsonWriter json, string name, Google.Protobuf.Collections.RepeatedField<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
