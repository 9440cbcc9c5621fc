using DaprHarness.Components;

namespace DaprHarness.State;

/// <summary>
/// <c>state.postgresql</c> (alias <c>state.postgres</c>), version v2 only (dapr/dapr cmd/daprd/components/state_postgres.go
/// registers both names; v1 stores JSONB with xmin ETags and is a different layout the harness does not emulate).
/// </summary>
public sealed class PostgresStateStoreFactory : IComponentFactory
{
    public string Type => "state.postgresql";

    public IReadOnlyCollection<string> Aliases => ["state.postgres"];

    public IReadOnlyCollection<string> Versions => ["v2"];

    public IReadOnlyCollection<string> MetadataFields => PostgresStateOptions.Fields;

    public int LoadOrder => 1;

    public async Task<IHarnessComponent> CreateAsync(ComponentMetadata metadata, HarnessContext context, CancellationToken cancellationToken)
    {
        var options = PostgresStateOptions.From(metadata);
        var name = metadata.Definition.Name;

        // daprd accepts one actor state store per sidecar (pkg/runtime/processor/state/state.go).
        if (options.ActorStateStore && context.Components?.OfKind<IActorStateStore>().FirstOrDefault() is { } existing)
        {
            throw metadata.Error("actorStateStore", $"detected duplicate actor state store: {existing.Name} and {name}");
        }

        return await PostgresStateStore.OpenAsync(name, options, context, cancellationToken);
    }
}
