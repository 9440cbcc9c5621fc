using Platform.Substrate.Identity;

namespace Platform.Substrate.Tests.Identity;

public sealed class ActorPrincipalTests
{
    [Theory]
    [InlineData("traffic-sim", "SYSTEM", "SYSTEM::traffic-sim")]
    [InlineData("SYSTEM::ig", "SYSTEM", "SYSTEM::ig")]
    [InlineData("alice", "HUMAN", "HUMAN::alice")]
    [InlineData("HUMAN::alice", "HUMAN", "HUMAN::alice")]
    public void The_actor_id_is_the_source_type_prefix_and_the_principal(string principal, string sourceType, string actorId)
    {
        Assert.True(ActorPrincipals.TryCreate(principal, sourceType, ["r"], AuthMode.ApiKey, "ApiKey", out var claims, out _));

        var actor = ActorContext.FromPrincipal(claims);
        Assert.NotNull(actor);
        Assert.Equal(actorId, actor.ActorId);
        Assert.Equal(sourceType, actor.SourceTypeName);
        Assert.True(actor.HasRole("r"));
    }

    [Theory]
    [InlineData("HUMAN::alice", "SYSTEM")]
    [InlineData("SYSTEM::ig", "HUMAN")]
    [InlineData("ig", null)]
    [InlineData("ig", "system")]
    [InlineData(null, "SYSTEM")]
    [InlineData("", "SYSTEM")]
    [InlineData("SYSTEM::", "SYSTEM")]
    [InlineData("SYSTEM::a::b", "SYSTEM")]
    [InlineData("two words", "HUMAN")]
    public void Missing_or_contradicting_identity_fails_closed(string? principal, string? sourceType)
    {
        Assert.False(ActorPrincipals.TryCreate(principal, sourceType, [], AuthMode.Jwt, "Bearer", out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Producer_classes_are_allowed_by_their_producer_role_only()
    {
        var authorizer = new RoleWriterAuthorizer();
        var actor = new ActorContext("SYSTEM::traffic-sim", SourceType.System, AuthMode.ApiKey, new HashSet<string> { "producer:traffic" });

        Assert.True(authorizer.IsAllowed(actor, "traffic"));
        Assert.False(authorizer.IsAllowed(actor, "context"));
        Assert.False(authorizer.IsAllowed(actor, ""));
    }
}
