using System.Text.Json;
using Platform.Substrate.Pinning;

namespace Platform.Substrate.BuildingBlocks;

/// <summary>
/// A partitioning profile (CONTRACTS §3): the stream a class is published to and where its partition key comes
/// from. <c>payload.a.b</c> names a nested payload member, a bare name a top-level envelope field. IG publishes with it;
/// consumers use it to name a record's origin exactly as IG did.
/// </summary>
public sealed record PartitioningProfile(string Id, EventStream Stream, IReadOnlyList<string> KeyPrecedence)
{
    /// <summary>
    /// Hex of H(value) for the first path whose value is non-empty (a non-empty string or a number; other kinds
    /// never make a key), or null when none is (PARTITION_KEY_MISSING).
    /// </summary>
    public string? PartitionKeyFor(JsonElement envelope)
    {
        foreach (var path in KeyPrecedence)
        {
            if (TryResolve(envelope, path, out var value) && MakesKey(value))
            {
                return Digests.Of(value);
            }
        }

        return null;
    }

    private static bool MakesKey(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => true,
        JsonValueKind.String => value.GetString() is { Length: > 0 },
        _ => false,
    };

    private static bool TryResolve(JsonElement envelope, string path, out JsonElement value)
    {
        value = envelope;
        foreach (var segment in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                return false;
            }
        }

        return true;
    }
}
