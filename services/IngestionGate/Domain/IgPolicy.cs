using Json.Schema;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// The IG policy (CONTRACTS §3): class_map, schema_policy and partitioning_profiles under <c>schemas/ig_policy/</c>,
/// with the envelope and payload schemas they name. Loaded and cross-checked once at start-up; its
/// <see cref="PolicyRev"/> is stamped on every receipt and quarantine record.
/// </summary>
public sealed class IgPolicy
{
    public const string PolicyId = "ig_policy";
    public const string EnvelopeSchemaPath = "event_envelope.v1.schema.json";
    public const string ClassMapPath = "ig_policy/class_map.json";
    public const string SchemaPolicyPath = "ig_policy/schema_policy.json";
    public const string PartitioningProfilesPath = "ig_policy/partitioning_profiles.json";

    private readonly IReadOnlyDictionary<string, EventClassPolicy> _classByEventType;
    private readonly IReadOnlyDictionary<string, EventTypePolicy> _eventTypes;

    internal IgPolicy(
        PolicyRev policyRev,
        JsonSchema envelopeSchema,
        IReadOnlyDictionary<string, EventClassPolicy> classByEventType,
        IReadOnlyDictionary<string, EventTypePolicy> eventTypes)
    {
        PolicyRev = policyRev;
        EnvelopeSchema = envelopeSchema;
        _classByEventType = classByEventType;
        _eventTypes = eventTypes;
    }

    /// <summary>The three files whose digest is policy_rev, relative to the schemas directory.</summary>
    public static IReadOnlyList<string> PolicyPaths { get; } = [ClassMapPath, SchemaPolicyPath, PartitioningProfilesPath];

    /// <summary><c>{policy_id: "ig_policy", revision: class_map.json's revision, content_digest}</c>.</summary>
    public PolicyRev PolicyRev { get; }

    internal JsonSchema EnvelopeSchema { get; }

    /// <summary>
    /// Loads the policy from <paramref name="schemasDirectory"/> (the app's <c>AppContext.BaseDirectory/schemas</c>)
    /// or throws <see cref="Platform.Substrate.Errors.PlatformStartupException"/> listing every problem by file and field.
    /// </summary>
    public static IgPolicy Load(string schemasDirectory) => IgPolicyLoader.Load(schemasDirectory);

    /// <summary>The class of <paramref name="eventType"/> per class_map.json, or null when it has none.</summary>
    internal EventClassPolicy? ClassOf(string eventType) => _classByEventType.GetValueOrDefault(eventType);

    /// <summary>What schema_policy.json says about <paramref name="eventType"/>, or null (SCHEMA_POLICY_MISSING).</summary>
    internal EventTypePolicy? SchemaPolicyOf(string eventType) => _eventTypes.GetValueOrDefault(eventType);
}

/// <summary>An event class: the envelope pins it requires and the profile that routes it to its stream.</summary>
internal sealed record EventClassPolicy(string Name, IReadOnlyList<string> RequiredPins, PartitioningProfile Profile);

/// <summary>schema_policy.json for one event_type; <see cref="PayloadSchema"/> is built from payload_schema_ref.</summary>
internal sealed record EventTypePolicy(
    string EventType,
    EventClassPolicy Class,
    bool SchemaVersionRequired,
    IReadOnlyList<string> AllowedSchemaVersions,
    string PayloadSchemaRef,
    JsonSchema PayloadSchema);
