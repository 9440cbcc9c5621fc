using System.Text.Json;
using Platform.Substrate.Identity;

namespace IngestionGate.Domain;

/// <summary>
/// Spots an envelope or payload that claims to speak for an actor. Such claims never change who IG records as the
/// actor (that comes from the authenticated caller only, CONTRACTS §6); they are noted as ACTOR_CLAIM_IGNORED.
/// </summary>
internal static class ActorClaims
{
    // Members that name an identity, at the top of the envelope or of the payload.
    private static readonly string[] ClaimMembers = ["actor", "actor_id", "source_type", "auth_mode", "principal"];

    public static bool Present(JsonElement envelope, ActorContext caller) =>
        (envelope.TryGetProperty("producer", out var producer) && !NamesCaller(producer, caller))
        || HasClaimMember(envelope)
        || (envelope.TryGetProperty("payload", out var payload) && HasClaimMember(payload));

    // "producer" is informational; it is a claim only when it names someone other than the caller
    // (by actor_id, SYSTEM::ig-traffic-sim, or by bare id, ig-traffic-sim).
    private static bool NamesCaller(JsonElement producer, ActorContext caller)
    {
        if (producer.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var name = producer.GetString();
        var bareId = caller.ActorId[(caller.ActorId.IndexOf(ActorContext.Separator, StringComparison.Ordinal) + ActorContext.Separator.Length)..];
        return name == caller.ActorId || name == bareId;
    }

    private static bool HasClaimMember(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && ClaimMembers.Any(member => element.TryGetProperty(member, out _));
}
