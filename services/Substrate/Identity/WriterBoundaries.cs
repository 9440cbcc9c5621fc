using Microsoft.AspNetCore.Authorization;

namespace Platform.Substrate.Identity;

/// <summary>Roles a credential may carry (API-key entry <c>roles</c>, JWT claim <c>roles</c>).</summary>
public static class PlatformRoles
{
    /// <summary>Prefix of a producer role; the rest is the producer class (<c>producer:traffic</c>).</summary>
    public const string ProducerPrefix = "producer:";
    public const string TrafficProducer = ProducerPrefix + "traffic";
    public const string ContextProducer = ProducerPrefix + "context";
    public const string Labeler = "labeler";
    public const string LabelFeed = "label-feed";
    public const string Operator = "operator";
    public const string Governance = "governance";

    public static string Producer(string producerClass) => ProducerPrefix + producerClass;
}

/// <summary>
/// Authorization policies, one per writer boundary. Endpoints name one with <c>RequireAuthorization(...)</c>;
/// an authenticated actor without the role gets 403. Endpoints that name none still need an authenticated actor
/// (the fallback policy): nothing on a platform app is anonymous unless it says <c>AllowAnonymous()</c>.
/// </summary>
public static class WriterBoundaries
{
    public const string IngestTraffic = "writer:ingest-traffic";
    public const string IngestContext = "writer:ingest-context";

    /// <summary>Any producer class; the class is checked after parsing with <see cref="IWriterAuthorizer"/>.</summary>
    public const string IngestAny = "writer:ingest";
    public const string LabelWriter = "writer:labels";
    public const string Operator = "writer:operator";

    /// <summary>Governance actions (e.g. registry promotions): a HUMAN with the governance role.</summary>
    public const string Governance = "writer:governance";

    internal static void AddPolicies(AuthorizationOptions options)
    {
        options.FallbackPolicy = Actor().Build();
        options.AddPolicy(IngestTraffic, Actor().RequireClaim(PlatformClaimTypes.Roles, PlatformRoles.TrafficProducer).Build());
        options.AddPolicy(IngestContext, Actor().RequireClaim(PlatformClaimTypes.Roles, PlatformRoles.ContextProducer).Build());
        options.AddPolicy(IngestAny, Actor()
            .RequireAssertion(c => c.User.FindAll(PlatformClaimTypes.Roles).Any(r => r.Value.StartsWith(PlatformRoles.ProducerPrefix, StringComparison.Ordinal)))
            .Build());
        options.AddPolicy(LabelWriter, Actor().RequireClaim(PlatformClaimTypes.Roles, PlatformRoles.Labeler, PlatformRoles.LabelFeed).Build());
        options.AddPolicy(Operator, Actor().RequireClaim(PlatformClaimTypes.Roles, PlatformRoles.Operator).Build());
        options.AddPolicy(Governance, Actor()
            .RequireClaim(PlatformClaimTypes.Roles, PlatformRoles.Governance)
            .RequireClaim(PlatformClaimTypes.SourceType, SourceTypes.ToWireName(SourceType.Human))
            .Build());
    }

    // Every platform policy starts here: an authenticated principal made by one of our schemes.
    private static AuthorizationPolicyBuilder Actor() =>
        new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(PlatformClaimTypes.ActorId);
}

/// <summary>For boundaries where the producer class is known only after the body is parsed (IG: event_class).</summary>
public interface IWriterAuthorizer
{
    bool IsAllowed(ActorContext actor, string producerClass);
}

/// <summary>A producer class is allowed when the actor holds <c>producer:&lt;class&gt;</c>.</summary>
public sealed class RoleWriterAuthorizer : IWriterAuthorizer
{
    public bool IsAllowed(ActorContext actor, string producerClass) =>
        !string.IsNullOrWhiteSpace(producerClass) && actor.HasRole(PlatformRoles.Producer(producerClass));
}
