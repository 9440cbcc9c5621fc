using Platform.Substrate.Identity;

namespace IngestionGate.Domain;

/// <summary><c>actor{actor_id, source_type, auth_mode}</c> of receipts and records: the authenticated caller, never the payload.</summary>
public sealed record IgActor(string ActorId, SourceType SourceType, AuthMode AuthMode)
{
    public static IgActor From(ActorContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new IgActor(caller.ActorId, caller.SourceType, caller.AuthMode);
    }
}
