using DaprHarness.Cli;
using DaprHarness.Resiliency;
using Npgsql;

namespace DaprHarness.Components;

/// <summary>What a component needs from the running harness.</summary>
public sealed class HarnessContext : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _harnessDatabase;

    public HarnessContext(DaprdFlags flags, ILoggerFactory loggerFactory, ResiliencyPolicies resiliency, TimeProvider clock, string? harnessConnection)
    {
        Flags = flags;
        LoggerFactory = loggerFactory;
        Resiliency = resiliency;
        Clock = clock;
        _harnessDatabase = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(harnessConnection
            ?? Components?.OfKind<IActorStateStore>().FirstOrDefault()?.NpgsqlConnectionString
            ?? throw new InvalidOperationException(
                "the harness keeps streams and workflows in PostgreSQL: set HARNESS_POSTGRES_CONNECTION or load a state.postgresql component with actorStateStore \"true\"")));
    }

    public DaprdFlags Flags { get; }

    public string AppId => Flags.AppId;

    public string? Namespace => Flags.Namespace;

    public ILoggerFactory LoggerFactory { get; }

    public ResiliencyPolicies Resiliency { get; }

    public TimeProvider Clock { get; }

    /// <summary>The components built so far (secret stores, then state stores, then the rest).</summary>
    public ComponentRegistry? Components { get; internal set; }

    /// <summary>
    /// PostgreSQL for the harness's own durable state (Kinesis streams and checkpoints, workflow instances):
    /// HARNESS_POSTGRES_CONNECTION if set, else the database of the actor state store component.
    /// </summary>
    public NpgsqlDataSource HarnessDatabase => _harnessDatabase.Value;

    /// <summary>Closes the harness database's pooled connections, which would otherwise outlive the sidecar.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_harnessDatabase.IsValueCreated)
        {
            await _harnessDatabase.Value.DisposeAsync();
        }
    }
}

/// <summary>A PostgreSQL state store marked <c>actorStateStore: "true"</c>; its database also holds the harness's own tables.</summary>
public interface IActorStateStore : IHarnessComponent
{
    string NpgsqlConnectionString { get; }
}
