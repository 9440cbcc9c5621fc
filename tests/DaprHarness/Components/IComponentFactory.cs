namespace DaprHarness.Components;

/// <summary>
/// Builds one Dapr component type. Factories are discovered by reflection, so adding a component type is adding a
/// class. A component whose type, version or metadata field no factory declares stops the harness at start-up.
/// </summary>
public interface IComponentFactory
{
    /// <summary>The Dapr type, e.g. <c>state.postgresql</c>.</summary>
    string Type { get; }

    /// <summary>Type aliases daprd registers for the same implementation (e.g. <c>state.postgres</c>).</summary>
    IReadOnlyCollection<string> Aliases => [];

    IReadOnlyCollection<string> Versions { get; }

    /// <summary>Every metadata field the harness understands for this type (case-insensitive).</summary>
    IReadOnlyCollection<string> MetadataFields { get; }

    /// <summary>
    /// Build order: secret stores (0) first, because other components resolve secretKeyRef through them; state
    /// stores (1) next, because the harness keeps its own tables in the actor state store's database; the rest (2).
    /// </summary>
    int LoadOrder => 2;

    Task<IHarnessComponent> CreateAsync(ComponentMetadata metadata, HarnessContext context, CancellationToken cancellationToken);
}

/// <summary>A loaded component. Kind-specific behaviour comes from the interfaces below.</summary>
public interface IHarnessComponent : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Capabilities reported by the metadata API, e.g. ETAG, TRANSACTIONAL, TTL.</summary>
    IReadOnlyList<string> Capabilities => [];
}

public interface ISecretStoreComponent : IHarnessComponent
{
    /// <summary>The secret's key/value map, or null when the secret does not exist.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetSecretAsync(string key, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretAsync(IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);
}

public interface IOutputBindingComponent : IHarnessComponent
{
    IReadOnlyCollection<string> Operations { get; }

    Task<BindingResult> InvokeAsync(string operation, byte[] data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);
}

public sealed record BindingResult(byte[] Data, IReadOnlyDictionary<string, string> Metadata)
{
    public static readonly BindingResult Empty = new([], new Dictionary<string, string>());
}

/// <summary>An input binding: delivers records to the app until the harness stops.</summary>
public interface IInputBindingComponent : IHarnessComponent
{
    /// <summary>True when the component is configured to read (daprd: <c>direction</c> unset or containing input).</summary>
    bool ReadsInput { get; }

    Task RunAsync(AppChannel app, CancellationToken stoppingToken);
}
