using System.Text.Json;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;

namespace FeatureStore.Domain;

/// <summary>
/// The part of IG's policy (schemas/ig_policy: class_map.json, partitioning_profiles.json) a consumer needs to name a
/// record's origin as IG named it: event_type → event_class → the stream and the partition key precedence; then
/// <c>dedupe_key</c> and the publish id of the first publish attempt (CONTRACTS §3–§4, IG's design notes).
/// </summary>
/// <remarks>
/// An operator republish of an ambiguous publish (attempt 2+) carries the same envelope; the archive keeps it under
/// the first attempt's id, which is what makes the two copies one archived record.
/// </remarks>
public sealed class OriginPolicy
{
    private readonly IReadOnlyDictionary<string, (string EventClass, PartitioningProfile Profile)> _byEventType;

    private OriginPolicy(IReadOnlyDictionary<string, (string, PartitioningProfile)> byEventType) => _byEventType = byEventType;

    public static OriginPolicy Load(string schemasDirectory)
    {
        using var classMap = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(schemasDirectory, "ig_policy", "class_map.json")));
        using var profiles = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(schemasDirectory, "ig_policy", "partitioning_profiles.json")));
        var classes = classMap.RootElement.GetProperty("classes");
        var byProfile = profiles.RootElement.GetProperty("profiles");
        var byEventType = new Dictionary<string, (string, PartitioningProfile)>(StringComparer.Ordinal);
        foreach (var entry in classMap.RootElement.GetProperty("event_types").EnumerateObject())
        {
            var eventClass = entry.Value.GetString()!;
            var profileId = classes.GetProperty(eventClass).GetProperty("partitioning_profile_id").GetString()!;
            var profile = byProfile.GetProperty(profileId);
            var precedence = profile.GetProperty("key_precedence").EnumerateArray().Select(p => p.GetString()!).ToList();
            // IG refuses to start on a profile naming an unknown stream; here such a class simply never matches a stream.
            var stream = PlatformNames.Streams.Find(profile.GetProperty("stream").GetString());
            if (stream is not null)
            {
                byEventType[entry.Name] = (eventClass, new PartitioningProfile(profileId, stream, precedence));
            }
        }

        return new OriginPolicy(byEventType);
    }

    /// <summary>
    /// The origin eb_ref of <paramref name="envelope"/> read from <paramref name="stream"/>, or a reason it has none:
    /// its event_type does not belong on that stream, or no partition key path resolves.
    /// </summary>
    public bool TryOrigin(EventStream stream, string eventType, string platformRunId, string eventId, JsonElement envelope, out OriginEbRef? origin, out string? problem)
    {
        origin = null;
        if (!_byEventType.TryGetValue(eventType, out var route) || route.Profile.Stream != stream)
        {
            problem = $"event_type '{eventType}' is not published to {stream.StreamName}";
            return false;
        }

        var partition = route.Profile.PartitionKeyFor(envelope);
        if (partition is null)
        {
            problem = "no partition key path of the stream's profile resolves";
            return false;
        }

        var publishId = EventIds.PublishId(EventIds.DedupeKey(platformRunId, route.EventClass, eventId), attempt: 1);
        origin = new OriginEbRef(stream.StreamName, partition, publishId, OriginEbRef.IgPublishId);
        problem = null;
        return true;
    }
}
