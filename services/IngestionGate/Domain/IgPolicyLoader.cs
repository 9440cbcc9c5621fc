using System.Text;
using System.Text.Json;
using Json.Schema;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;
using Platform.Substrate.Pinning;

namespace IngestionGate.Domain;

/// <summary>
/// Reads the IG policy files, checks each against its meta-schema (<c>ig_policy/&lt;name&gt;.schema.json</c>), then
/// checks what a schema cannot: references between the files, payload schemas that exist and build, streams that
/// exist, key paths that name real envelope fields. Every problem is collected and reported at once.
/// </summary>
internal sealed class IgPolicyLoader
{
    private const string PayloadMember = "payload";
    private const string PlatformRunIdPin = "platform_run_id";

    private static readonly EvaluationOptions Hierarchical = new() { OutputFormat = OutputFormat.Hierarchical };

    private readonly string _root;

    // A registry per load: JsonSchema.Net refuses to register the same $id twice in one registry, and the global
    // one would make a second load (a restart in tests, a reload) fail.
    private readonly SchemaRegistry _registry = new();
    private readonly Dictionary<string, JsonSchema?> _payloadSchemas = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    private IgPolicyLoader(string root) => _root = root;

    public static IgPolicy Load(string schemasDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schemasDirectory);
        var loader = new IgPolicyLoader(Path.GetFullPath(schemasDirectory));
        var policy = loader.Build();
        return policy is not null && loader._problems.Count == 0
            ? policy
            : throw new PlatformStartupException(
                $"The IG policy under '{loader._root}' is invalid:{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", loader._problems)}");
    }

    private IgPolicy? Build()
    {
        var envelopeBytes = Read(IgPolicy.EnvelopeSchemaPath, $"{IgPolicy.EnvelopeSchemaPath}: not found");
        var envelopeSchema = envelopeBytes is null ? null : BuildSchema(IgPolicy.EnvelopeSchemaPath, envelopeBytes);
        var envelopeFields = envelopeSchema is null ? [] : TopLevelFields(envelopeBytes!);

        var files = IgPolicy.PolicyPaths.ToDictionary(path => path, path => Read(path, $"{path}: not found"), StringComparer.Ordinal);
        var classMap = Parse<ClassMapFile>(IgPolicy.ClassMapPath, files[IgPolicy.ClassMapPath]);
        var schemaPolicy = Parse<SchemaPolicyFile>(IgPolicy.SchemaPolicyPath, files[IgPolicy.SchemaPolicyPath]);
        var profilesFile = Parse<PartitioningProfilesFile>(IgPolicy.PartitioningProfilesPath, files[IgPolicy.PartitioningProfilesPath]);
        if (envelopeSchema is null || classMap is null || schemaPolicy is null || profilesFile is null)
        {
            return null;
        }

        var profiles = BuildProfiles(profilesFile, envelopeFields);
        var classes = BuildClasses(classMap, profiles);
        var classByEventType = MapEventTypes(classMap, classes);
        var eventTypes = BuildEventTypes(schemaPolicy, classMap, classByEventType);
        if (_problems.Count > 0)
        {
            return null;
        }

        var policyRev = PolicyRev.Compute(IgPolicy.PolicyId, classMap.Revision, files.Select(file => new PolicyFile(file.Key, file.Value!)));
        return new IgPolicy(policyRev, envelopeSchema, classByEventType, eventTypes);
    }

    private Dictionary<string, PartitioningProfile> BuildProfiles(PartitioningProfilesFile file, HashSet<string> envelopeFields)
    {
        var profiles = new Dictionary<string, PartitioningProfile>(StringComparer.Ordinal);
        foreach (var (id, entry) in file.Profiles)
        {
            var stream = PlatformNames.Streams.Find(entry.Stream);
            if (stream is null)
            {
                Problem(IgPolicy.PartitioningProfilesPath, $"/profiles/{id}/stream",
                    $"'{entry.Stream}' is not a platform stream ({string.Join(", ", PlatformNames.Streams.All.Select(s => s.StreamName))})");
            }

            for (var i = 0; i < entry.KeyPrecedence.Count; i++)
            {
                var path = entry.KeyPrecedence[i];
                if (!path.StartsWith(PayloadMember + ".", StringComparison.Ordinal) && !envelopeFields.Contains(path))
                {
                    Problem(IgPolicy.PartitioningProfilesPath, $"/profiles/{id}/key_precedence/{i}",
                        $"'{path}' is neither payload.<path> nor an envelope field ({string.Join(", ", envelopeFields.Order(StringComparer.Ordinal))})");
                }
            }

            if (stream is not null)
            {
                profiles.Add(id, new PartitioningProfile(id, stream, entry.KeyPrecedence));
            }
        }

        return profiles;
    }

    private Dictionary<string, EventClassPolicy> BuildClasses(ClassMapFile classMap, Dictionary<string, PartitioningProfile> profiles)
    {
        var classes = new Dictionary<string, EventClassPolicy>(StringComparer.Ordinal);
        foreach (var (name, entry) in classMap.Classes)
        {
            if (!entry.RequiredPins.Contains(PlatformRunIdPin))
            {
                Problem(IgPolicy.ClassMapPath, $"/classes/{name}/required_pins", $"must include {PlatformRunIdPin}: the dedupe key is built from it");
            }

            if (profiles.TryGetValue(entry.PartitioningProfileId, out var profile))
            {
                classes.Add(name, new EventClassPolicy(name, entry.RequiredPins, profile));
            }
            else
            {
                Problem(IgPolicy.ClassMapPath, $"/classes/{name}/partitioning_profile_id",
                    $"'{entry.PartitioningProfileId}' is not a valid profile in {IgPolicy.PartitioningProfilesPath}");
            }
        }

        return classes;
    }

    private Dictionary<string, EventClassPolicy> MapEventTypes(ClassMapFile classMap, Dictionary<string, EventClassPolicy> classes)
    {
        var map = new Dictionary<string, EventClassPolicy>(StringComparer.Ordinal);
        foreach (var (eventType, className) in classMap.EventTypes)
        {
            if (classes.TryGetValue(className, out var eventClass))
            {
                map.Add(eventType, eventClass);
            }
            else if (!classMap.Classes.ContainsKey(className))
            {
                Problem(IgPolicy.ClassMapPath, $"/event_types/{eventType}", $"class '{className}' is not defined under /classes");
            }
        }

        return map;
    }

    private Dictionary<string, EventTypePolicy> BuildEventTypes(
        SchemaPolicyFile schemaPolicy, ClassMapFile classMap, Dictionary<string, EventClassPolicy> classByEventType)
    {
        var eventTypes = new Dictionary<string, EventTypePolicy>(StringComparer.Ordinal);
        foreach (var (eventType, entry) in schemaPolicy.EventTypes)
        {
            var pointer = $"/event_types/{eventType}";
            if (!classMap.EventTypes.TryGetValue(eventType, out var mappedClass))
            {
                Problem(IgPolicy.SchemaPolicyPath, pointer, $"event_type '{eventType}' is not mapped to a class in {IgPolicy.ClassMapPath} /event_types");
                continue;
            }

            if (entry.Class != mappedClass)
            {
                Problem(IgPolicy.SchemaPolicyPath, pointer + "/class", $"'{entry.Class}' but {IgPolicy.ClassMapPath} maps '{eventType}' to '{mappedClass}'");
                continue;
            }

            var payloadSchema = PayloadSchema(entry.PayloadSchemaRef, $"{IgPolicy.SchemaPolicyPath}: {pointer}/payload_schema_ref");
            if (payloadSchema is not null && classByEventType.TryGetValue(eventType, out var eventClass))
            {
                eventTypes.Add(eventType, new EventTypePolicy(
                    eventType, eventClass, entry.SchemaVersionRequired, entry.AllowedSchemaVersions, entry.PayloadSchemaRef, payloadSchema));
            }
        }

        return eventTypes;
    }

    // Several event types may share a payload schema; it is built once (one $id per registry).
    private JsonSchema? PayloadSchema(string reference, string referencedBy)
    {
        if (!_payloadSchemas.TryGetValue(reference, out var schema))
        {
            var bytes = Read(reference, $"{referencedBy}: '{reference}' does not exist under the schemas directory");
            schema = bytes is null ? null : BuildSchema($"{reference} (named by {referencedBy})", bytes);
            _payloadSchemas.Add(reference, schema);
        }

        return schema;
    }

    /// <summary>Checks a policy file against its meta-schema and deserializes it, or records why not.</summary>
    private T? Parse<T>(string path, byte[]? content)
        where T : class
    {
        var metaPath = path[..^".json".Length] + ".schema.json";
        var metaBytes = Read(metaPath, $"{metaPath}: not found (the meta-schema of {path})");
        var metaSchema = metaBytes is null ? null : BuildSchema(metaPath, metaBytes);
        if (content is null || metaSchema is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            var result = metaSchema.Evaluate(document.RootElement, Hierarchical);
            if (!result.IsValid)
            {
                ReportFailures(path, result);
                return null;
            }

            return document.RootElement.Deserialize<T>(PlatformJson.Options);
        }
        catch (JsonException exception)
        {
            _problems.Add($"{path}: not valid JSON: {exception.Message}");
            return null;
        }
    }

    // Only failures that make their parent fail: a subschema that fails inside a passing one (an item "contains"
    // skips, a losing "anyOf" branch) is not a problem with the file.
    private void ReportFailures(string path, EvaluationResults node)
    {
        foreach (var error in node.Errors ?? new Dictionary<string, string>())
        {
            Problem(path, node.InstanceLocation.ToString() is { Length: > 0 } pointer ? pointer : "/", error.Value);
        }

        foreach (var child in (node.Details ?? []).Where(child => !child.IsValid))
        {
            ReportFailures(path, child);
        }
    }

    private JsonSchema? BuildSchema(string name, byte[] content)
    {
        try
        {
            return JsonSchema.FromText(Encoding.UTF8.GetString(content), new BuildOptions { SchemaRegistry = _registry });
        }
        catch (Exception exception) when (exception is JsonException or JsonSchemaException or ArgumentException)
        {
            _problems.Add($"{name}: not a valid JSON Schema: {exception.Message}");
            return null;
        }
    }

    private byte[]? Read(string relativePath, string problemIfMissing)
    {
        var fullPath = Path.Combine(_root, relativePath);
        if (File.Exists(fullPath))
        {
            return File.ReadAllBytes(fullPath);
        }

        _problems.Add(problemIfMissing);
        return null;
    }

    // Top-level envelope fields a key path may name: the envelope schema's properties, except the payload object.
    private static HashSet<string> TopLevelFields(byte[] envelopeSchema)
    {
        using var document = JsonDocument.Parse(envelopeSchema);
        return document.RootElement.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? properties.EnumerateObject().Select(p => p.Name).Where(name => name != PayloadMember).ToHashSet(StringComparer.Ordinal)
            : [];
    }

    private void Problem(string file, string pointer, string message) => _problems.Add($"{file}: {pointer}: {message}");

    private sealed record ClassMapFile(string Revision, Dictionary<string, ClassEntry> Classes, Dictionary<string, string> EventTypes);

    private sealed record ClassEntry(string? Description, List<string> RequiredPins, string PartitioningProfileId);

    private sealed record SchemaPolicyFile(string DefaultAction, Dictionary<string, EventTypeEntry> EventTypes);

    private sealed record EventTypeEntry(string Class, bool SchemaVersionRequired, List<string> AllowedSchemaVersions, string PayloadSchemaRef);

    private sealed record PartitioningProfilesFile(Dictionary<string, ProfileEntry> Profiles);

    private sealed record ProfileEntry(string Stream, List<string> KeyPrecedence, string HashAlgo);
}
